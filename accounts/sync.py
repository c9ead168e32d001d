"""Memberships that follow the identity provider's groups (writes)."""

from __future__ import annotations

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db import transaction

from accounts import mapping
from teams.models import Group, GroupLead, Membership, Source, Team

BATCH = 2000


def memberships_sync(*, user, groups: list[str], rules: list[mapping.Rule]) -> mapping.Desired:
    """Make the person's sign-on memberships what their groups say: join, change role, leave."""
    return memberships_sync_many({user: groups}, rules=rules)[user.pk]


@transaction.atomic
def memberships_sync_many(groups_by_person: dict, *, rules: list[mapping.Rule]) -> dict[int, mapping.Desired]:
    """The same for many people at once (a SCIM group of thousands), in a few queries.

    Only memberships and group leads kept by sign-on change; ones typed in the admin or brought by
    an import stay as they are, and a team someone already belongs to that way is left alone.
    Returns what each person's groups give them, by person id.
    """
    teams = {t.slug: t for t in Team.objects.filter(active=True)}
    team_groups = {g.slug: g for g in Group.objects.all()}
    people = {person.pk: person for person in groups_by_person}
    wanted = {
        person.pk: mapping.desired(groups, rules, teams=set(teams), team_groups=set(team_groups))
        for person, groups in groups_by_person.items()
    }
    ids = list(people)
    team_slugs = {team.pk: slug for slug, team in teams.items()}
    group_slugs = {group.pk: slug for slug, group in team_groups.items()}
    current: dict[int, dict[int, Membership]] = defaultdict(dict)
    managed: dict[int, dict[int, GroupLead]] = defaultdict(dict)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        for membership in Membership.objects.filter(user_id__in=chunk).only(
            "pk", "user_id", "team_id", "role", "source"
        ):
            current[membership.user_id][membership.team_id] = membership
        for lead in GroupLead.objects.filter(user_id__in=chunk).only("pk", "user_id", "group_id", "source"):
            managed[lead.user_id][lead.group_id] = lead

    create, change, remove = [], [], []
    new_leads, gone_leads = [], []
    for pk, desired in wanted.items():
        mine = current[pk]
        for slug, role in desired.teams.items():
            membership = mine.get(teams[slug].pk)
            if membership is None:
                create.append(Membership(user_id=pk, team=teams[slug], role=role, source=Source.SSO))
            elif membership.source == Source.SSO and membership.role != role:
                membership.role = role
                change.append(membership)
        remove += [
            m.pk
            for team_id, m in mine.items()
            if m.source == Source.SSO and team_slugs.get(team_id) not in desired.teams
        ]
        leads = managed[pk]
        new_leads += [
            GroupLead(user_id=pk, group=team_groups[slug], source=Source.SSO)
            for slug in desired.groups
            if team_groups[slug].pk not in leads
        ]
        gone_leads += [
            lead.pk
            for group_id, lead in leads.items()
            if lead.source == Source.SSO and group_slugs.get(group_id) not in desired.groups
        ]
    Membership.objects.bulk_create(create, batch_size=BATCH)
    Membership.objects.bulk_update(change, ["role"], batch_size=BATCH)
    GroupLead.objects.bulk_create(new_leads, batch_size=BATCH)
    for start in range(0, len(remove), BATCH):
        Membership.objects.filter(pk__in=remove[start : start + BATCH]).delete()
    for start in range(0, len(gone_leads), BATCH):
        GroupLead.objects.filter(pk__in=gone_leads[start : start + BATCH]).delete()

    if any(rule.kind == "staff" for rule in rules):
        staff_changes = [
            person
            for pk, person in people.items()
            if not person.is_superuser and person.is_staff != wanted[pk].staff
        ]
        for person in staff_changes:
            person.is_staff = wanted[person.pk].staff
        get_user_model().objects.bulk_update(staff_changes, ["is_staff"], batch_size=BATCH)
    return wanted
