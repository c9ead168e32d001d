"""Importing an organisation: groups, teams, people and memberships from one file, all or nothing.

Idempotent: importing the same file again changes nothing. The file is the directory: people an
earlier import brought who are missing now are deactivated (they cannot sign in; their account,
and every anonymous aggregate they contributed to, stays), and memberships the import keeps
follow the file. Memberships typed in the admin are left alone. A dry run does everything in a
transaction that is rolled back, so what it reports is exactly what the import would do.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts import directory as reading
from accounts.models import ExternalAccount
from audit.models import AuditEvent
from audit.trail import record
from teams.models import Group, GroupLead, Membership, Source, Team

BATCH = 2000


class ImportRejected(Exception):
    """Nothing was imported: the problems say where the file needs fixing."""

    def __init__(self, problems: list) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


@dataclass
class Plan:
    """What the import did (or, in a dry run, would do)."""

    dry_run: bool
    counts: Counter = field(default_factory=Counter)
    deactivated: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        c = self.counts
        out = [
            f"groups: {c['groups created']} created, {c['groups changed']} changed",
            f"teams: {c['teams created']} created, {c['teams changed']} changed",
            f"people: {c['people created']} created, {c['people changed']} changed, "
            f"{c['people reactivated']} reactivated, {c['people deactivated']} deactivated",
            f"memberships: {c['memberships created']} created, {c['memberships changed']} changed, "
            f"{c['memberships removed']} removed",
            f"group managers: {c['managers created']} created, {c['managers removed']} removed",
        ]
        if self.deactivated:
            shown = ", ".join(self.deactivated[:20]) + (" …" if len(self.deactivated) > 20 else "")
            out.append(f"deactivated: {shown}")
        return out


def org_import(*, content: bytes, filename: str, dry_run: bool, by=None) -> Plan:
    """Import the file, or with ``dry_run`` say what importing would do and change nothing.

    Raises reading.Unreadable for a file that cannot be read at all and ImportRejected with
    every problem (row and column) otherwise; nothing is written then.
    """
    found = reading.read(
        content,
        filename,
        known_groups=set(Group.objects.values_list("slug", flat=True)),
        known_teams=set(Team.objects.values_list("slug", flat=True)),
    )
    if found.problems:
        raise ImportRejected(found.problems)
    plan = Plan(dry_run=dry_run)
    with transaction.atomic():
        _apply(found, plan)
        if dry_run:
            transaction.set_rollback(True)
        else:
            record(AuditEvent.Action.ORG_IMPORTED, None, by=by, file=filename[:100], **dict(plan.counts))
    return plan


def _apply(found: reading.Directory, plan: Plan) -> None:
    counts = plan.counts
    # Groups and teams.
    groups = {g.slug: g for g in Group.objects.all()}
    new_groups = [Group(slug=slug, name=name) for slug, name in found.groups.items() if slug not in groups]
    changed = []
    for slug, name in found.groups.items():
        if slug in groups and groups[slug].name != name:
            groups[slug].name = name
            changed.append(groups[slug])
    Group.objects.bulk_create(new_groups, batch_size=BATCH)
    Group.objects.bulk_update(changed, ["name"], batch_size=BATCH)
    counts["groups created"], counts["groups changed"] = len(new_groups), len(changed)
    groups = {g.slug: g for g in Group.objects.all()}

    teams = {t.slug: t for t in Team.objects.all()}
    new_teams, changed = [], []
    for slug, (name, group) in found.teams.items():
        group_id = groups[group].pk if group else None
        team = teams.get(slug)
        if team is None:
            new_teams.append(Team(slug=slug, name=name, group_id=group_id))
        elif (team.name, team.group_id, team.active) != (name, group_id, True):
            team.name, team.group_id, team.active = name, group_id, True
            changed.append(team)
    Team.objects.bulk_create(new_teams, batch_size=BATCH)
    Team.objects.bulk_update(changed, ["name", "group", "active"], batch_size=BATCH)
    counts["teams created"], counts["teams changed"] = len(new_teams), len(changed)
    team_ids = dict(Team.objects.values_list("slug", "pk"))

    # People.
    User = get_user_model()
    users = {
        u.username: u
        for u in User.objects.only("pk", "username", "email", "first_name", "last_name", "is_active")
    }
    unusable = make_password(None)  # one unusable password for all: they sign in through the provider
    new_users, changed = [], []
    for username, (email, first, last) in found.people.items():
        user = users.get(username)
        if user is None:
            new_users.append(
                User(username=username, email=email, first_name=first, last_name=last, password=unusable)
            )
            continue
        fields = (email or user.email, first or user.first_name, last or user.last_name)
        if (user.email, user.first_name, user.last_name, user.is_active) != (*fields, True):
            counts["people reactivated"] += not user.is_active
            user.email, user.first_name, user.last_name, user.is_active = *fields, True
            changed.append(user)
    User.objects.bulk_create(new_users, batch_size=BATCH)
    User.objects.bulk_update(changed, ["email", "first_name", "last_name", "is_active"], batch_size=BATCH)
    counts["people created"] = len(new_users)
    counts["people changed"] = len(changed) - counts["people reactivated"]
    user_ids = dict(User.objects.values_list("username", "pk"))
    in_file = {user_ids[username] for username in found.people}

    kept = set(ExternalAccount.objects.values_list("user_id", flat=True))
    ExternalAccount.objects.bulk_create(
        [ExternalAccount(user_id=pk, source=ExternalAccount.Source.DIRECTORY) for pk in in_file - kept],
        batch_size=BATCH,
    )
    # Leavers: brought by an import, missing from this file.
    leavers = list(
        User.objects.filter(external_account__source=ExternalAccount.Source.DIRECTORY, is_active=True)
        .exclude(pk__in=in_file)
        .values_list("pk", "username")
    )
    leaver_ids = [pk for pk, _ in leavers]
    User.objects.filter(pk__in=leaver_ids).update(is_active=False)
    counts["people deactivated"] = len(leavers)
    plan.deactivated = sorted(username for _, username in leavers)

    # Memberships and group managers the import keeps.
    wanted = {(user_ids[u], team_ids[t]): role for (u, t), role in found.memberships.items()}
    stored = {
        (m.user_id, m.team_id): m
        for m in Membership.objects.only("pk", "user_id", "team_id", "role", "source")
    }
    create, update, remove = [], [], []
    for key, role in wanted.items():
        membership = stored.get(key)
        if membership is None:
            create.append(Membership(user_id=key[0], team_id=key[1], role=role, source=Source.DIRECTORY))
        elif membership.source == Source.DIRECTORY and membership.role != role:
            membership.role = role
            update.append(membership)
    for key, membership in stored.items():
        if membership.source == Source.DIRECTORY and (key not in wanted or key[0] in leaver_ids):
            remove.append(membership.pk)
    Membership.objects.bulk_create(create, batch_size=BATCH)
    Membership.objects.bulk_update(update, ["role"], batch_size=BATCH)
    for start in range(0, len(remove), BATCH):
        Membership.objects.filter(pk__in=remove[start : start + BATCH]).delete()
    counts["memberships created"], counts["memberships changed"] = len(create), len(update)
    counts["memberships removed"] = len(remove)

    wanted_leads = {(user_ids[u], groups[g].pk) for u, g in found.managers}
    stored_leads = {(lead.user_id, lead.group_id): lead for lead in GroupLead.objects.all()}
    GroupLead.objects.bulk_create(
        [
            GroupLead(user_id=u, group_id=g, source=Source.DIRECTORY)
            for u, g in wanted_leads - set(stored_leads)
        ],
        batch_size=BATCH,
    )
    gone = [
        lead.pk
        for key, lead in stored_leads.items()
        if lead.source == Source.DIRECTORY and (key not in wanted_leads or key[0] in leaver_ids)
    ]
    GroupLead.objects.filter(pk__in=gone).delete()
    counts["managers created"] = len(wanted_leads - set(stored_leads))
    counts["managers removed"] = len(gone)
