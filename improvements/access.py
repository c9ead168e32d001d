"""Who may see and work on which improvement actions. Views go through these helpers.

- Seeing a board, an action and the CSV export: whoever may see the team's dashboard (its
  members and lead, the lead of its group, staff). Everyone else gets 404.
- Creating, moving, editing actions and recording experiments: members and leads of the team.
  The board belongs to the team; group managers and staff look at it read-only (403 on writes).
- Setting WIP limits: the team's lead, who runs the team's way of working.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from improvements.models import Action
from teams.access import role_in
from teams.models import Membership, Team


def action_for_user(user, action_id: int) -> Action:
    """The action if the user may see its team, with what its page shows; else 404."""
    return get_object_or_404(
        Action.objects.visible_to(user).select_related(
            "team", "team__group", "owner", "dimension", "source_round__model"
        ),
        pk=action_id,
    )


def can_work_on(role: str | None) -> bool:
    """Members and leads of the team (``role`` from ``teams.access.role_in``) work on its actions."""
    return role is not None


def can_set_limits(role: str | None) -> bool:
    return role == Membership.Role.LEAD


def require_worker(user, team: Team) -> str:
    """The user's role in the team; 403 when they only look on (they can already see the team)."""
    role = role_in(user, team)
    if not can_work_on(role):
        raise PermissionDenied
    return role
