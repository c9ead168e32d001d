"""SCIM 2.0 (RFC 7643, RFC 7644) for an identity provider that provisions people and groups.

Users and Groups at /scim/v2/, behind the bearer token GEMBA_SCIM_TOKEN (unset: SCIM is off and
every address answers 404). The protocol's messages are scim2-models' (their validation and the
PATCH semantics of RFC 7644 §3.5.2); what a request changes goes through accounts.provisioning.
Filters: ``eq`` on userName, externalId and emails (Users), displayName and externalId (Groups),
which is what Okta, Entra ID and OneLogin send. Every error is a SCIM Error message, never a 500.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from pydantic import ValidationError
from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    Email,
    EnterpriseUser,
    Error,
    ETag,
    Filter,
    GroupMember,
    GroupMembership,
    ListResponse,
    Meta,
    Name,
    Patch,
    PatchOp,
    ResourceType,
    SCIMException,
    ScimPolicy,
    ServiceProviderConfig,
    Sort,
)
from scim2_models import Group as ScimGroup
from scim2_models import User as CoreUser

from accounts import provisioning
from accounts.models import DirectoryGroup

# Entra ID sends the enterprise extension by default: it is read (and not kept).
ScimUser = CoreUser[EnterpriseUser]
# What the providers send that the letter of RFC 7644 refuses: Entra ID removes a member with
# a value instead of a path filter and replaces emails[type eq "work"].value on a person who has
# none of that type; attributes Gemba has no use for are dropped, not refused.
TOLERANCE = ScimPolicy(
    unknown=ScimPolicy.Unknown.ignore,
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
)
CONTENT_TYPE = "application/scim+json"
LIST_RESPONSE = str(ListResponse.__schema__)
MAX_RESULTS = 200
FILTER = re.compile(r'^\s*([A-Za-z.]+)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$', re.IGNORECASE)
USER_FILTERS = {
    "username": "username__iexact",
    "externalid": "external_account__external_id",
    "emails": "email__iexact",
    "emails.value": "email__iexact",
}
GROUP_FILTERS = {"displayname": "display_name__iexact", "externalid": "external_id"}


class Problem(Exception):
    """A SCIM error answer: status, scimType (RFC 7644 §3.12) and a sentence for the admin."""

    def __init__(self, status: int, detail: str, scim_type: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type


def _answer(document: dict, status: int = 200, location: str = "") -> HttpResponse:
    response = HttpResponse(json.dumps(document), status=status, content_type=CONTENT_TYPE)
    if location:
        response["Location"] = location
    return response


def _error(status: int, detail: str, scim_type: str | None = None) -> HttpResponse:
    error = Error(status=status, scim_type=scim_type, detail=detail)
    response = _answer(error.model_dump(), status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="Gemba SCIM"'
    return response


def _authorised(request: HttpRequest) -> bool:
    scheme, _space, given = request.headers.get("Authorization", "").partition(" ")
    expected = hashlib.sha256(settings.GEMBA_SCIM_TOKEN.encode()).digest()
    return scheme.lower() == "bearer" and hmac.compare_digest(
        hashlib.sha256(given.strip().encode()).digest(), expected
    )


def endpoint(view):
    """SCIM's door: off without a token, 401 without the right one, every failure a SCIM Error."""

    @csrf_exempt
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.GEMBA_SCIM_TOKEN:
            return _error(404, "SCIM provisioning is off: set GEMBA_SCIM_TOKEN to switch it on.")
        if not _authorised(request):
            return _error(401, "A valid bearer token is required (GEMBA_SCIM_TOKEN).")
        try:
            with TOLERANCE:
                return view(request, *args, **kwargs)
        except Problem as problem:
            return _error(problem.status, problem.detail, problem.scim_type)
        except provisioning.Refused as refused:
            return _error(
                409 if refused.conflict else 400,
                str(refused),
                "uniqueness" if refused.conflict else "invalidValue",
            )
        except ValidationError as invalid:
            errors = Error.from_validation_errors(invalid)
            detail = "; ".join(error.detail or "" for error in errors)[:1000]
            return _error(400, detail, errors[0].scim_type if errors else "invalidValue")
        except SCIMException as refused:
            error = refused.to_error()
            return _error(int(error.status or 400), error.detail or str(refused), error.scim_type)
        except IntegrityError:
            # Two requests made the same userName or group name at once: the second one loses.
            return _error(409, "The userName or displayName was taken meanwhile.", "uniqueness")

    return wrapped


def _body(request: HttpRequest) -> dict:
    try:
        document = json.loads(request.body.decode("utf-8") or "null")
    except RequestDataTooBig:
        raise Problem(413, "The body is too large.") from None
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Problem(400, "The body is not JSON.", "invalidSyntax") from None
    if not isinstance(document, dict):
        raise Problem(400, "The body must be a JSON object.", "invalidSyntax")
    _storable(document)
    return document


def _storable(document) -> None:
    """Refuse text no database keeps: NUL characters and halves of surrogate pairs."""
    pending = [document]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise Problem(400, "The text holds an unpaired surrogate.", "invalidValue") from None
            if "\x00" in item:
                raise Problem(400, "The text holds a NUL character.", "invalidValue")


def _page(request: HttpRequest) -> tuple[int, int]:
    try:
        start = min(2**31, max(1, int(request.GET.get("startIndex", 1))))
        count = min(MAX_RESULTS, max(0, int(request.GET.get("count", 100))))
    except ValueError:
        raise Problem(400, "startIndex and count are whole numbers.", "invalidValue") from None
    return start, count


def _filtered(request: HttpRequest, queryset, lookups: dict[str, str], names: str):
    text = request.GET.get("filter", "").strip()
    if not text:
        return queryset
    match = FILTER.match(text)
    if match is None or match.group(1).lower() not in lookups:
        raise Problem(400, f'Only «attribute eq "value"» filters on {names} are supported.', "invalidFilter")
    try:
        value = json.loads(f'"{match.group(2)}"') if "\\" in match.group(2) else match.group(2)
    except ValueError:
        raise Problem(400, "The filter's value is not a valid string.", "invalidFilter") from None
    _storable(value)
    lookup = lookups[match.group(1).lower()]
    if lookup == "username__iexact":
        return provisioning.named(queryset, value)
    return queryset.filter(**{lookup: value})


def _listed(request: HttpRequest, queryset, dump) -> HttpResponse:
    start, count = _page(request)
    total = queryset.count()
    resources = [dump(request, item) for item in queryset[start - 1 : start - 1 + count]]
    return _answer(_list(resources, total=total, start=start))


def _list(resources: list[dict], *, total: int, start: int = 1) -> dict:
    return {
        "schemas": [LIST_RESPONSE],
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }


def _absolute(request: HttpRequest, name: str, pk) -> str:
    return request.build_absolute_uri(reverse(name, args=[pk]))


# --- Users -----------------------------------------------------------------------------------


def _people():
    return (
        provisioning.provisioned_people()
        .select_related("external_account")
        .prefetch_related(
            Prefetch("directory_groups", queryset=DirectoryGroup.objects.only("pk", "display_name"))
        )
    )


def _user(request: HttpRequest, user) -> ScimUser:
    account = getattr(user, "external_account", None)
    return ScimUser(
        id=str(user.pk),
        external_id=(account.external_id if account else "") or None,
        user_name=user.username,
        name=Name(given_name=user.first_name or None, family_name=user.last_name or None),
        display_name=user.get_full_name() or user.username,
        # As stored, even where the models' e-mail check is stricter than Django's (ada@corp.local).
        emails=[Email.model_construct(value=user.email, primary=True, type=Email.Type.work)]
        if user.email
        else None,
        active=user.is_active,
        groups=[
            GroupMembership(value=str(group.pk), display=group.display_name, type="direct")
            for group in user.directory_groups.all()
        ]
        or None,
        meta=Meta(
            resource_type="User",
            created=user.date_joined,
            last_modified=user.date_joined,
            location=_absolute(request, "accounts:scim_user", user.pk),
        ),
    )


def _dump_user(request: HttpRequest, user, context=Context.RESOURCE_QUERY_RESPONSE) -> dict:
    return _user(request, user).model_dump(scim_ctx=context)


def _person(resource: ScimUser, *, active: bool = True) -> provisioning.Person:
    """What the resource says; ``active`` where it says nothing about it."""
    emails = resource.emails or []
    primary = next((e for e in emails if e.primary), emails[0] if emails else None)
    name = resource.name
    return provisioning.Person(
        username=resource.user_name or "",
        given_name=(name.given_name if name else None) or "",
        family_name=(name.family_name if name else None) or "",
        email=str(primary.value) if primary and primary.value else "",
        active=active if resource.active is None else resource.active,
        external_id=resource.external_id or "",
    )


def _number(pk: str) -> int | None:
    return int(pk) if pk.isascii() and pk.isdigit() and len(pk) < 19 else None


def _found_user(pk: str, *, lock: bool = False):
    if lock and _number(pk) is not None:
        # Read, patched and written by one request at a time: two PATCHes never lose each other.
        list(provisioning.User.objects.select_for_update().filter(pk=_number(pk)).values("pk"))
    user = _people().filter(pk=_number(pk)).first() if _number(pk) is not None else None
    if user is None:
        raise Problem(404, f"No provisioned person has the id {pk[:40]!r}.")
    return user


@endpoint
def users(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        found = _filtered(request, _people(), USER_FILTERS, "userName, externalId and emails").order_by("pk")
        return _listed(request, found, _dump_user)
    if request.method == "POST":
        resource = ScimUser.model_validate(_body(request), scim_ctx=Context.RESOURCE_CREATION_REQUEST)
        user = provisioning.person_create(_person(resource))
        user = _found_user(str(user.pk))
        return _answer(
            _dump_user(request, user, Context.RESOURCE_CREATION_RESPONSE),
            201,
            _absolute(request, "accounts:scim_user", user.pk),
        )
    return _not_allowed("GET, POST")


@endpoint
def user(request: HttpRequest, pk: str) -> HttpResponse:
    if request.method == "GET":
        return _answer(_dump_user(request, _found_user(pk)))
    if request.method not in ("PUT", "PATCH", "DELETE"):
        return _not_allowed("GET, PUT, PATCH, DELETE")
    with transaction.atomic():
        found = _found_user(pk, lock=True)
        if request.method == "PUT":
            resource = ScimUser.model_validate(_body(request), scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST)
            provisioning.person_update(found, _person(resource, active=found.is_active))
        elif request.method == "PATCH":
            patch = PatchOp[ScimUser].model_validate(_body(request), scim_ctx=Context.RESOURCE_PATCH_REQUEST)
            resource = _user(request, found)
            patch.patch(resource)
            provisioning.person_update(found, _person(resource))
        else:
            provisioning.person_remove(found)
            return HttpResponse(status=204, content_type=CONTENT_TYPE)
    return _answer(_dump_user(request, _found_user(pk)))


def _not_allowed(methods: str) -> HttpResponse:
    response = _error(405, f"This address takes {methods}.")
    response["Allow"] = methods
    return response


# --- Groups ----------------------------------------------------------------------------------


def _groups():
    return DirectoryGroup.objects.prefetch_related(
        Prefetch(
            "members",
            queryset=provisioning.provisioned_people().only("pk", "username", "first_name", "last_name"),
        )
    )


def _group(request: HttpRequest, group: DirectoryGroup, *, members: bool = True) -> ScimGroup:
    return ScimGroup(
        id=str(group.pk),
        external_id=group.external_id or None,
        display_name=group.display_name,
        members=[
            GroupMember(value=str(person.pk), display=person.get_full_name() or person.username, type="User")
            for person in group.members.all()
        ]
        if members
        else None,
        meta=Meta(
            resource_type="Group",
            last_modified=group.changed_at,
            location=_absolute(request, "accounts:scim_group", group.pk),
        ),
    )


def _dump_group(request: HttpRequest, group: DirectoryGroup, context=Context.RESOURCE_QUERY_RESPONSE) -> dict:
    # Entra ID lists groups with excludedAttributes=members: thousands of members stay home.
    excluded = request.GET.get("excludedAttributes", "").lower()
    return _group(request, group, members="members" not in excluded).model_dump(scim_ctx=context)


def _found_group(pk: str, *, lock: bool = False) -> DirectoryGroup:
    if lock and _number(pk) is not None:
        list(DirectoryGroup.objects.select_for_update().filter(pk=_number(pk)).values("pk"))
    group = _groups().filter(pk=_number(pk)).first() if _number(pk) is not None else None
    if group is None:
        raise Problem(404, f"No group has the id {pk[:40]!r}.")
    return group


def _saved(group: DirectoryGroup | None, resource: ScimGroup) -> DirectoryGroup:
    return provisioning.group_save(
        group,
        name=resource.display_name or "",
        external_id=resource.external_id or "",
        member_ids=[member.value or "" for member in resource.members or []],
    )


@endpoint
def groups(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        found = _filtered(request, _groups(), GROUP_FILTERS, "displayName and externalId").order_by("pk")
        return _listed(request, found, _dump_group)
    if request.method == "POST":
        resource = ScimGroup.model_validate(_body(request), scim_ctx=Context.RESOURCE_CREATION_REQUEST)
        group = _found_group(str(_saved(None, resource).pk))
        return _answer(
            _dump_group(request, group, Context.RESOURCE_CREATION_RESPONSE),
            201,
            _absolute(request, "accounts:scim_group", group.pk),
        )
    return _not_allowed("GET, POST")


@endpoint
def group(request: HttpRequest, pk: str) -> HttpResponse:
    if request.method == "GET":
        return _answer(_dump_group(request, _found_group(pk)))
    if request.method not in ("PUT", "PATCH", "DELETE"):
        return _not_allowed("GET, PUT, PATCH, DELETE")
    with transaction.atomic():
        found = _found_group(pk, lock=True)
        if request.method == "PUT":
            resource = ScimGroup.model_validate(_body(request), scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST)
            _saved(found, resource)
        elif request.method == "PATCH":
            patch = PatchOp[ScimGroup].model_validate(_body(request), scim_ctx=Context.RESOURCE_PATCH_REQUEST)
            resource = _group(request, found)
            patch.patch(resource)
            _saved(found, resource)
        else:
            provisioning.group_remove(found)
            return HttpResponse(status=204, content_type=CONTENT_TYPE)
    return _answer(_dump_group(request, _found_group(pk)))


# --- What the service offers (RFC 7644 §4) ---------------------------------------------------


@endpoint
def service_provider_config(request: HttpRequest) -> HttpResponse:
    config = ServiceProviderConfig(
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_RESULTS),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        authentication_schemes=[
            AuthenticationScheme(
                type="oauthbearertoken",
                name="Bearer token",
                description="The token set in GEMBA_SCIM_TOKEN, as Authorization: Bearer <token>.",
                primary=True,
            )
        ],
    )
    return _answer(config.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


@endpoint
def resource_types(request: HttpRequest) -> HttpResponse:
    types = [ResourceType.from_resource(ScimUser), ResourceType.from_resource(ScimGroup)]
    documents = [item.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE) for item in types]
    return _answer(_list(documents, total=len(documents)))


@endpoint
def schemas(request: HttpRequest) -> HttpResponse:
    documents = [
        model.to_schema().model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
        for model in (CoreUser, EnterpriseUser, ScimGroup)
    ]
    return _answer(_list(documents, total=len(documents)))
