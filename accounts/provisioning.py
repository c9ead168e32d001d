"""SCIM provisioning's writes: people and directory groups as the identity provider keeps them.

A person is a Gemba account, never a superuser's (a provisioning token must not be a way into
an administrator's account). Removing one deactivates it and takes it out of SCIM: the account
and every anonymous aggregate it contributed to stay, as with a leaver of a directory import.

A directory group's name counts as a group claim: after any change, each person it concerns gets
the teams and roles their groups give by GEMBA_OIDC_GROUP_MAP, through the same memberships_sync
as a sign-in. Memberships typed in the admin or brought by an import are left alone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from accounts import directory, mapping
from accounts.models import DirectoryGroup, ExternalAccount
from accounts.sync import BATCH, memberships_sync_many
from audit.models import AuditEvent
from audit.trail import record

User = get_user_model()


class Refused(Exception):
    """The change cannot be made as asked; nothing was written. ``field`` names the attribute."""

    def __init__(self, message: str, *, field: str = "", conflict: bool = False) -> None:
        super().__init__(message)
        self.field = field
        self.conflict = conflict


@dataclass(frozen=True)
class Person:
    """What the identity provider says about a person."""

    username: str
    given_name: str = ""
    family_name: str = ""
    email: str = ""
    active: bool = True
    external_id: str = ""


def provisioned_people():
    """Everyone SCIM may see and change: not superusers, not people it removed."""
    return User.objects.filter(is_superuser=False).exclude(external_account__removed_at__isnull=False)


def named(queryset, username: str):
    """Those of ``queryset`` whose username is ``username`` in any case (SCIM's userName is not
    case-exact). SQLite folds only ASCII letters: names with others are compared here."""
    if username.isascii() or connection.vendor != "sqlite":
        return queryset.filter(username__iexact=username)
    wanted = username.casefold()
    candidates = queryset.filter(username__regex=r"[^\x00-\x7f]").values_list("pk", "username")
    return queryset.filter(pk__in=[pk for pk, name in candidates if name.casefold() == wanted])


def directory_group_names(people: Iterable) -> dict[int, list[str]]:
    """Each person's directory group names, by person id (none once deactivated)."""
    active = [person.pk for person in people if person.is_active]
    names: dict[int, list[str]] = defaultdict(list)
    for start in range(0, len(active), BATCH):
        for user_id, name in DirectoryGroup.members.through.objects.filter(
            user_id__in=active[start : start + BATCH]
        ).values_list("user_id", "directorygroup__display_name"):
            names[user_id].append(name)
    return names


@transaction.atomic
def person_create(person: Person, *, by=None):
    """A new account for the person, or the one provisioning removed earlier under the same
    username, brought back. Refused (a conflict) when the username is someone else's."""
    _check(person)
    existing = named(User.objects.all(), person.username).select_related("external_account").first()
    if existing is not None:
        account = getattr(existing, "external_account", None)
        if existing.is_superuser or account is None or account.removed_at is None:
            raise Refused(f"The userName {person.username!r} is taken.", field="userName", conflict=True)
        account.removed_at = None
        account.save(update_fields=["removed_at"])
        return person_update(existing, person, by=by)
    user = User.objects.create(
        username=person.username,
        first_name=person.given_name[:150],
        last_name=person.family_name[:150],
        email=person.email,
        is_active=person.active,
        password=make_password(None),  # they sign in through the identity provider
    )
    ExternalAccount.objects.create(
        user=user, source=ExternalAccount.Source.SCIM, external_id=person.external_id
    )
    record(AuditEvent.Action.PERSON_PROVISIONED, user, by=by, change="created")
    return user


@transaction.atomic
def person_update(user, person: Person, *, by=None):
    """The account says what the provider says (a PUT, or a PATCH applied to what SCIM showed).
    Deactivating takes the person out of their teams; reactivating gives their groups' teams back.
    A provider re-sends whole records: only a change is written to the audit trail."""
    _check(person, before=user)
    if named(User.objects.exclude(pk=user.pk), person.username).exists():
        raise Refused(f"The userName {person.username!r} is taken.", field="userName", conflict=True)
    fields = ["username", "first_name", "last_name", "email", "is_active"]
    before = [getattr(user, name) for name in fields]
    user.username = person.username
    user.first_name, user.last_name = person.given_name[:150], person.family_name[:150]
    user.email, user.is_active = person.email, person.active
    changed = before != [getattr(user, name) for name in fields]
    if changed:
        user.save(update_fields=fields)
    account, created = ExternalAccount.objects.get_or_create(
        user=user, defaults={"source": ExternalAccount.Source.SCIM}
    )
    if account.external_id != person.external_id:
        account.external_id = person.external_id
        account.save(update_fields=["external_id"])
        changed = True
    if before[-1] != user.is_active:
        teams_follow_groups([user])
    if changed or created:
        change = (
            "changed"
            if before[-1] == user.is_active
            else ("reactivated" if user.is_active else "deactivated")
        )
        record(AuditEvent.Action.PERSON_PROVISIONED, user, by=by, change=change)
    return user


@transaction.atomic
def person_remove(user, *, by=None) -> None:
    """Deactivated, out of every directory group and team the provider gave, gone from SCIM."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    user.directory_groups.clear()
    account, _created = ExternalAccount.objects.get_or_create(
        user=user, defaults={"source": ExternalAccount.Source.SCIM}
    )
    account.removed_at = timezone.now()
    account.save(update_fields=["removed_at"])
    teams_follow_groups([user])
    record(AuditEvent.Action.PERSON_PROVISIONED, user, by=by, change="removed")


@transaction.atomic
def group_save(
    group: DirectoryGroup | None, *, name: str, external_id: str = "", member_ids: Iterable[str], by=None
) -> DirectoryGroup:
    """Create (``group`` None) or replace a directory group and its members; the people whose
    groups changed get their teams again. Members are SCIM ids of provisioned people."""
    name = name.strip()
    if not name or len(name) > 255:
        raise Refused("displayName is required (at most 255 characters).", field="displayName")
    if len(external_id) > 255:
        raise Refused("externalId is longer than 255 characters.", field="externalId")
    taken = DirectoryGroup.objects.filter(display_name__iexact=name)
    if group is not None:
        taken = taken.exclude(pk=group.pk)
    if taken.exists():
        raise Refused(f"The displayName {name!r} is taken.", field="displayName", conflict=True)
    wanted = _members(member_ids)
    renamed = group is not None and group.display_name != name
    before = set() if group is None else set(group.members.values_list("pk", flat=True))
    if group is None:
        group = DirectoryGroup.objects.create(display_name=name, external_id=external_id)
    else:
        group.display_name, group.external_id = name, external_id
        group.save()
    after = {user.pk for user in wanted}
    group.members.remove(*(before - after))
    group.members.add(*(after - before))
    # A new name may match other rules: then every member's teams are worked out again.
    concerned = (before | after) if renamed else (before ^ after)
    teams_follow_groups(User.objects.filter(pk__in=concerned))
    record(AuditEvent.Action.GROUP_PROVISIONED, group, by=by, change="saved", members=len(after))
    return group


@transaction.atomic
def group_remove(group: DirectoryGroup, *, by=None) -> None:
    members = list(group.members.all())
    record(AuditEvent.Action.GROUP_PROVISIONED, group, by=by, change="removed", members=len(members))
    group.delete()
    teams_follow_groups(members)


def teams_follow_groups(users: Iterable) -> None:
    """Each person's sign-on memberships as their directory groups now give them."""
    people = list(users)
    names = directory_group_names(people)
    memberships_sync_many(
        {person: names[person.pk] for person in people},
        rules=mapping.parse_rules(settings.GEMBA_OIDC_GROUP_MAP),
    )


def _members(member_ids: Iterable[str]) -> list:
    ids = [str(value).strip() for value in member_ids]
    numbers = {int(value) for value in ids if value.isascii() and value.isdigit() and len(value) < 19}
    found = {str(user.pk): user for user in provisioned_people().filter(pk__in=numbers)}
    unknown = [value for value in ids if value not in found]
    if unknown:
        raise Refused(f"No provisioned person has the id {unknown[0]!r}.", field="members")
    return list(found.values())


def _check(person: Person, *, before=None) -> None:
    """Refuse what Gemba cannot keep, by the directory import's rules for people; of a person
    already here, only what changes (an account made by sign-on or in the admin may hold a name
    those rules would refuse)."""
    changed_name = before is None or person.username != before.username
    if changed_name and not directory.USERNAME.fullmatch(person.username):
        raise Refused("userName is required: letters, digits and @ . + - _, at most 150.", field="userName")
    changed_email = person.email and (before is None or person.email != before.email)
    if changed_email and (len(person.email) > 254 or not directory.EMAIL.fullmatch(person.email)):
        raise Refused(f"{person.email[:100]!r} is not an e-mail address.", field="emails")
    if len(person.external_id) > 255:
        raise Refused("externalId is longer than 255 characters.", field="externalId")
