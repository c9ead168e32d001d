"""Keep DeliveryVersion in step with every save and delete of a deployment or incident (admin too).

Bulk writes send no signals: their callers bump the version themselves (history import, seeds).
"""

from django.db.models.signals import post_delete, post_save

from delivery.models import DeliveryVersion, Deployment, Incident
from teams.models import Team


def _bump_on_change(sender, instance, origin=None, **kwargs) -> None:
    # Deleting a team deletes its records and its version together: nothing to bump then.
    if isinstance(origin, Team):
        return
    DeliveryVersion.objects.bump([instance.team_id])


for _model in (Deployment, Incident):
    post_save.connect(_bump_on_change, sender=_model, dispatch_uid=f"delivery-version-{_model.__name__}")
    post_delete.connect(
        _bump_on_change, sender=_model, dispatch_uid=f"delivery-version-delete-{_model.__name__}"
    )
