from __future__ import annotations

from django.db import models as db_models

from audit.models import AuditEvent


def record(action: AuditEvent.Action, subject: db_models.Model | None, *, by=None, **details) -> AuditEvent:
    """Write one audit event in the caller's transaction (so a rolled-back change leaves no trace).
    ``subject`` None: the event is about the whole organisation (an import)."""
    user = by if getattr(by, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_name=user.get_username() if user else "system",
        action=action,
        subject_type=subject._meta.label if subject is not None else "organisation",
        subject_id=str(subject.pk or "") if subject is not None else "",
        subject=str(subject)[:200] if subject is not None else "organisation",
        details=details,
    )
