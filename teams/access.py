"""Who may see and run which team: Gemba's one visibility policy (README, "Visibility").

| what                                                        | who                                     |
|-------------------------------------------------------------|-----------------------------------------|
| a team's results above their gates, history, comments,      | its members and leads, the leads of its |
| delivery numbers, actions and board                         | group, staff                            |
| live participation counts of an open round, reminders,     | its leads, the leads of its group,      |
| closing it                                                  | staff                                   |
| org and group aggregates over at least k teams with results | every signed-in person                  |
| who answered what                                           | nobody: the data model cannot tell      |

Views, exports and the API fetch teams only through these helpers. Outsiders get 404, never
403: a page must not confirm that another team exists.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from teams.models import GroupLead, Membership, Team, TeamQuerySet


def teams_with_results(user) -> TeamQuerySet:
    """Teams whose results (scores, details, comments, history) and delivery numbers the user sees."""
    return Team.objects.visible_to(user)


def teams_with_delivery(user) -> TeamQuerySet:
    """Teams whose deployments, incidents and DORA keys the user sees: the same as their results."""
    return teams_with_results(user)


def teams_with_live_counts(user) -> TeamQuerySet:
    """Teams whose live participation in an open round the user sees: the teams they run."""
    return Team.objects.led_by(user)


def team_for_user(user, slug: str) -> Team:
    """The team with this slug if the user may see it (member, lead, group lead, staff), else 404."""
    return get_object_or_404(teams_with_results(user).select_related("group"), slug=slug)


def team_for_member(user, slug: str) -> Team:
    """The team with this slug if the user belongs to it (member or lead), else 404."""
    return get_object_or_404(Team.objects.joined_by(user).select_related("group"), slug=slug)


def team_for_lead(user, slug: str) -> Team:
    """The team if the user runs it; 404 when they cannot see it, 403 when they only belong to it."""
    team = team_for_user(user, slug)
    if not can_lead(user, team):
        raise PermissionDenied
    return team


def role_in(user, team: Team) -> str | None:
    """The user's membership role in the team ("member" or "lead"), or None."""
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, team=team).values_list("role", flat=True).first()


def can_lead(user, team: Team) -> bool:
    """Team lead, lead of the team's group, or staff."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    if Membership.objects.filter(user=user, team=team, role=Membership.Role.LEAD).exists():
        return True
    return team.group_id is not None and GroupLead.objects.filter(user=user, group_id=team.group_id).exists()


def leads_anything(user) -> bool:
    """Whether the user runs at least one team (for navigation and the rounds page)."""
    if not user.is_authenticated:
        return False
    return (
        user.is_staff
        or Membership.objects.filter(user=user, role=Membership.Role.LEAD).exists()
        or GroupLead.objects.filter(user=user).exists()
    )
