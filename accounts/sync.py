"""Memberships that follow the identity provider's groups (writes)."""

from __future__ import annotations

from django.db import transaction

from accounts import mapping
from teams.models import Group, GroupLead, Membership, Source, Team


@transaction.atomic
def memberships_sync(
    *,
    user,
    groups: list[str],
    rules: list[mapping.Rule],
    teams: dict[str, Team] | None = None,
    team_groups: dict[str, Group] | None = None,
) -> mapping.Desired:
    """Make the person's sign-on memberships what their groups say: join, change role, leave.

    Only memberships kept by sign-on change; ones typed in the admin stay as they are. ``teams``
    (active ones by slug) and ``team_groups`` (by slug) are read here unless the caller, syncing
    many people at once, read them once for all.
    """
    if teams is None:
        teams = {t.slug: t for t in Team.objects.filter(active=True)}
    if team_groups is None:
        team_groups = {g.slug: g for g in Group.objects.all()}
    wanted = mapping.desired(groups, rules, teams=set(teams), team_groups=set(team_groups))
    current = {m.team.slug: m for m in Membership.objects.filter(user=user).select_related("team")}
    for slug, role in wanted.teams.items():
        membership = current.get(slug)
        if membership is None:
            Membership.objects.create(user=user, team=teams[slug], role=role, source=Source.SSO)
        elif membership.source == Source.SSO and membership.role != role:
            membership.role = role
            membership.save(update_fields=["role"])
    for slug, membership in current.items():
        if membership.source == Source.SSO and slug not in wanted.teams:
            membership.delete()
    managed = {lead.group.slug: lead for lead in GroupLead.objects.filter(user=user).select_related("group")}
    for slug in wanted.groups - set(managed):
        GroupLead.objects.create(user=user, group=team_groups[slug], source=Source.SSO)
    for slug, lead in managed.items():
        if lead.source == Source.SSO and slug not in wanted.groups:
            lead.delete()
    if (
        any(rule.kind == "staff" for rule in rules)
        and user.is_staff != wanted.staff
        and not user.is_superuser
    ):
        user.is_staff = wanted.staff
        user.save(update_fields=["is_staff"])
    return wanted
