"""SCIM 2.0 provisioning as an identity provider drives it: people and groups arrive, groups give
teams by the sign-on mapping rules, leavers lose access and keep every aggregate, and no request,
however wrong, gets a 500 or half-written data."""

import json

import pytest
from django.contrib.auth import get_user_model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import DirectoryGroup, ExternalAccount
from teams.models import Membership, Source
from tests.factories import TeamFactory, UserFactory, make_model, make_scored_history

TOKEN = "scim-test-token-0123456789"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


@pytest.fixture
def scim(client, settings, db):
    settings.GEMBA_SCIM_TOKEN = TOKEN
    settings.GEMBA_OIDC_GROUP_MAP = "gemba-{team}-leads -> lead; gemba-{team} -> member"

    def call(method, path, body=None, token=TOKEN, **extra):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        data = body if isinstance(body, str | bytes) else json.dumps(body) if body is not None else ""
        response = getattr(client, method.lower())(
            f"/scim/v2/{path}", data=data, content_type="application/scim+json", **headers, **extra
        )
        return response, (json.loads(response.content) if response.content else None)

    return call


def _group(name, *member_ids, **more):
    body = {"schemas": [GROUP], "displayName": name, **more}
    if member_ids:
        body["members"] = [{"value": str(pk)} for pk in member_ids]
    return body


def _person(username, **more):
    return {
        "schemas": [USER],
        "userName": username,
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [{"value": f"{username}@example.org", "primary": True, "type": "work"}],
        "active": True,
        **more,
    }


def test_okta_creates_a_person_finds_them_by_username_and_deactivates_them(scim, team):
    response, created = scim("POST", "Users", _person("ada", externalId="00u1abc"))
    assert response.status_code == 201 and response["Content-Type"] == "application/scim+json"
    assert created["userName"] == "ada" and created["active"] is True and created["externalId"] == "00u1abc"
    assert response["Location"].endswith(f"/scim/v2/Users/{created['id']}")
    _response, found = scim("GET", 'Users?filter=userName eq "ADA"')  # userName is not case-exact
    assert found["totalResults"] == 1 and found["Resources"][0]["id"] == created["id"]
    _response, by_external = scim("GET", 'Users?filter=externalId eq "00u1abc"')
    assert by_external["totalResults"] == 1

    patch = {"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": False}}]}
    response, changed = scim("PATCH", f"Users/{created['id']}", patch)
    assert response.status_code == 200 and changed["active"] is False
    ada = get_user_model().objects.get(username="ada")
    assert not ada.is_active and not ada.has_usable_password()
    assert ada.external_account.source == ExternalAccount.Source.SCIM


def test_a_group_gives_teams_by_the_mapping_rules_and_members_come_and_go(scim, team):
    _r, ada = scim("POST", "Users", _person("ada"))
    _r, bob = scim("POST", "Users", _person("bob"))
    response, group = scim(
        "POST",
        "Groups",
        _group("gemba-checkout", ada["id"]),
    )
    assert response.status_code == 201 and [m["value"] for m in group["members"]] == [ada["id"]]
    leads = scim("POST", "Groups", _group("gemba-checkout-leads"))[1]
    membership = Membership.objects.get(user__username="ada", team=team)
    assert (membership.role, membership.source) == (Membership.Role.MEMBER, Source.SSO)

    # Entra ID's way: add one member, remove another by a filter on the path.
    patch = {
        "schemas": [PATCH],
        "Operations": [
            {"op": "add", "path": "members", "value": [{"value": bob["id"]}]},
            {"op": "remove", "path": f'members[value eq "{ada["id"]}"]'},
        ],
    }
    response, changed = scim("PATCH", f"Groups/{group['id']}", patch)
    assert response.status_code == 200 and [m["value"] for m in changed["members"]] == [bob["id"]]
    assert not Membership.objects.filter(user__username="ada").exists()
    assert Membership.objects.get(user__username="bob", team=team).role == Membership.Role.MEMBER

    # In the leads' group too: lead wins.
    scim(
        "PATCH",
        f"Groups/{leads['id']}",
        {
            "schemas": [PATCH],
            "Operations": [{"op": "add", "path": "members", "value": [{"value": bob["id"]}]}],
        },
    )
    assert Membership.objects.get(user__username="bob", team=team).role == Membership.Role.LEAD
    _r, person = scim("GET", f"Users/{bob['id']}")
    assert {g["display"] for g in person["groups"]} == {"gemba-checkout", "gemba-checkout-leads"}

    # A deleted group takes its teams with it.
    assert scim("DELETE", f"Groups/{leads['id']}")[0].status_code == 204
    assert Membership.objects.get(user__username="bob", team=team).role == Membership.Role.MEMBER
    assert scim("GET", f"Groups/{leads['id']}")[0].status_code == 404


def test_a_removed_person_loses_access_at_the_next_request_and_their_aggregates_stay(scim, team, client_for):
    _r, ada = scim("POST", "Users", _person("ada"))
    scim(
        "POST",
        "Groups",
        _group("gemba-checkout", ada["id"]),
    )
    person = get_user_model().objects.get(username="ada")
    make_scored_history(model=make_model(points=5), teams=[team], rounds=1)
    from assessments.models import TeamScore

    before = list(TeamScore.objects.values_list("round_id", "team_id", "index", "responses"))
    client = client_for(person)
    assert client.get("/").status_code == 200
    assert scim("DELETE", f"Users/{ada['id']}")[0].status_code == 204
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert scim("GET", f"Users/{ada['id']}")[0].status_code == 404
    assert scim("GET", 'Users?filter=userName eq "ada"')[1]["totalResults"] == 0
    assert not Membership.objects.filter(user=person).exists()
    assert list(TeamScore.objects.values_list("round_id", "team_id", "index", "responses")) == before
    # The same person provisioned again is the same account, active again.
    response, again = scim("POST", "Users", _person("ada"))
    assert response.status_code == 201 and again["id"] == ada["id"] and again["active"] is True


def test_put_replaces_a_person_and_a_group(scim, team, other_team):
    _r, ada = scim("POST", "Users", _person("ada"))
    response, replaced = scim("PUT", f"Users/{ada['id']}", _person("ada.l", name={"givenName": "Augusta"}))
    assert response.status_code == 200
    assert (replaced["userName"], replaced["name"].get("givenName"), replaced["name"].get("familyName")) == (
        "ada.l",
        "Augusta",
        None,
    )
    _r, group = scim(
        "POST",
        "Groups",
        _group("gemba-checkout", ada["id"]),
    )
    response, renamed = scim(
        "PUT",
        f"Groups/{group['id']}",
        _group("gemba-ledger", ada["id"]),
    )
    assert response.status_code == 200 and renamed["displayName"] == "gemba-ledger"
    # A renamed group moves its members by the rules.
    assert list(Membership.objects.filter(user__username="ada.l").values_list("team__slug", flat=True)) == [
        "ledger"
    ]


def test_entra_lists_groups_without_their_members_and_pages_through_people(scim, db):
    for n in range(5):
        scim("POST", "Users", _person(f"p{n}"))
    scim(
        "POST",
        "Groups",
        _group("everyone", *get_ids()),
    )
    _r, listed = scim("GET", 'Groups?excludedAttributes=members&filter=displayName eq "everyone"')
    assert listed["totalResults"] == 1 and "members" not in listed["Resources"][0]
    _r, page = scim("GET", "Users?startIndex=3&count=2")
    assert (page["totalResults"], page["startIndex"], page["itemsPerPage"]) == (5, 3, 2)
    assert [p["userName"] for p in page["Resources"]] == ["p2", "p3"]


def get_ids():
    return list(get_user_model().objects.filter(is_superuser=False).values_list("pk", flat=True))


def test_the_service_describes_itself(scim, db):
    _r, config = scim("GET", "ServiceProviderConfig")
    assert config["patch"]["supported"] is True and config["bulk"]["supported"] is False
    assert config["authenticationSchemes"][0]["type"] == "oauthbearertoken"
    _r, types = scim("GET", "ResourceTypes")
    assert {t["endpoint"] for t in types["Resources"]} == {"/Users", "/Groups"}
    _r, schemas = scim("GET", "Schemas")
    enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    assert {s["id"] for s in schemas["Resources"]} == {USER, enterprise, GROUP}


def test_without_the_token_nothing_is_told_and_without_a_setting_scim_is_off(scim, settings, staff):
    for token in (None, "wrong", TOKEN + "x"):
        response, error = scim("GET", "Users", token=token)
        assert response.status_code == 401 and error["status"] == "401"
        assert response["WWW-Authenticate"].startswith("Bearer")
    settings.GEMBA_SCIM_TOKEN = ""
    response, error = scim("GET", "Users", token="")
    assert response.status_code == 404 and "GEMBA_SCIM_TOKEN" in error["detail"]


def test_an_administrator_is_never_reached_through_scim(scim, staff):
    assert scim("GET", f"Users/{staff.pk}")[0].status_code == 404
    response, error = scim("POST", "Users", _person(staff.username))
    assert response.status_code == 409 and error["scimType"] == "uniqueness"
    assert scim("GET", "Users")[1]["totalResults"] == 0


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "scim_type"),
    [
        ("POST", "Users", "not json", 400, "invalidSyntax"),
        ("POST", "Users", [1, 2], 400, "invalidSyntax"),
        ("POST", "Users", {"schemas": [USER]}, 400, None),
        ("POST", "Users", {"schemas": [USER], "userName": "has space"}, 400, "invalidValue"),
        ("POST", "Users", {"schemas": [USER], "userName": "x", "emails": [{"value": "nope"}]}, 400, None),
        ("POST", "Users", {"schemas": [USER], "userName": "x", "active": "maybe"}, 400, None),
        (
            "POST",
            "Groups",
            _group("g", "999999"),
            400,
            "invalidValue",
        ),
        ("POST", "Groups", _group(" "), 400, "invalidValue"),
        ("GET", 'Users?filter=title sw "x"', None, 400, "invalidFilter"),
        ("GET", "Users?count=lots", None, 400, "invalidValue"),
        ("GET", "Users/abc", None, 404, None),
        ("GET", "Users/99999999999999999999999", None, 404, None),
        ("PATCH", "Users/1", {"schemas": [PATCH], "Operations": []}, 404, None),
    ],
)
def test_bad_requests_get_a_scim_error_and_change_nothing(scim, db, method, path, body, status, scim_type):
    response, error = scim(method, path, body)
    assert response.status_code == status, error
    assert error["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"] and error["detail"]
    if scim_type:
        assert error["scimType"] == scim_type
    assert not get_user_model().objects.exists() and not DirectoryGroup.objects.exists()


def test_a_patch_that_fails_halfway_writes_nothing(scim, team):
    _r, ada = scim("POST", "Users", _person("ada"))
    _r, group = scim(
        "POST",
        "Groups",
        _group("gemba-checkout", ada["id"]),
    )
    patch = {
        "schemas": [PATCH],
        "Operations": [
            {"op": "replace", "path": "displayName", "value": "gemba-renamed"},
            {"op": "add", "path": "members", "value": [{"value": "424242"}]},
        ],
    }
    response, error = scim("PATCH", f"Groups/{group['id']}", patch)
    assert response.status_code == 400 and "424242" in error["detail"]
    assert DirectoryGroup.objects.get().display_name == "gemba-checkout"
    assert Membership.objects.filter(user__username="ada", team=team).exists()


def test_two_people_cannot_share_a_username_nor_two_groups_a_name(scim, db):
    scim("POST", "Users", _person("ada"))
    response, error = scim("POST", "Users", _person("ADA"))
    assert response.status_code == 409 and error["scimType"] == "uniqueness"
    _r, bob = scim("POST", "Users", _person("bob"))
    assert scim("PUT", f"Users/{bob['id']}", _person("ada"))[0].status_code == 409
    scim("POST", "Groups", _group("one"))
    assert scim("POST", "Groups", _group("ONE"))[0].status_code == 409


def test_a_signin_with_scim_on_keeps_the_teams_scim_gave(scim, team, settings):
    from accounts import oidc

    _r, ada = scim("POST", "Users", _person("ada"))
    scim(
        "POST",
        "Groups",
        _group("gemba-checkout", ada["id"]),
    )
    person = get_user_model().objects.get(username="ada")
    oidc.apply_groups(person, {"sub": "x", "groups": []})  # a provider that sends no groups claim
    assert Membership.objects.filter(user=person, team=team).exists()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "schemas",
                        "userName",
                        "displayName",
                        "members",
                        "emails",
                        "active",
                        "name",
                        "externalId",
                        "Operations",
                        "op",
                        "path",
                        "value",
                    ]
                ),
                inner,
                max_size=5,
            )
        ),
        max_leaves=12,
    ),
    where=st.sampled_from(
        [
            ("POST", "Users"),
            ("POST", "Groups"),
            ("PATCH", "Users/{u}"),
            ("PATCH", "Groups/{g}"),
            ("PUT", "Users/{u}"),
            ("PUT", "Groups/{g}"),
        ]
    ),
)
def test_no_body_gets_a_server_error(scim, team, body, where):
    if not DirectoryGroup.objects.exists():
        scim("POST", "Users", _person("fixed"))
        scim("POST", "Groups", _group("fixed"))
    user_id = str(get_ids()[0])
    group_id = str(DirectoryGroup.objects.values_list("pk", flat=True)[0])
    method, path = where
    response, _document = scim(method, path.format(u=user_id, g=group_id), body)
    assert response.status_code < 500


def test_every_teams_source_but_the_providers_is_left_alone(scim, team):
    typed = UserFactory(username="typed")
    Membership.objects.create(user=typed, team=team, role=Membership.Role.LEAD)  # typed in the admin
    _r, found = scim("GET", 'Users?filter=userName eq "typed"')
    other = TeamFactory(slug="other")
    group = _group("gemba-other", found["Resources"][0]["id"])
    _r, made = scim("POST", "Groups", group)
    scim("DELETE", f"Groups/{made['id']}")
    person = get_user_model().objects.get(username="typed")
    assert list(Membership.objects.filter(user=person).values_list("team__slug", "source")) == [
        ("checkout", "")
    ]
    assert other.pk


def test_a_person_sign_on_or_the_admin_made_can_be_deactivated_whatever_their_name_or_address(scim, team):
    odd = UserFactory(username="Ada Lovelace", email="ada@corp.local")  # as a sign-in may have made
    _r, listed = scim("GET", "Users")
    assert [p["userName"] for p in listed["Resources"]] == ["Ada Lovelace"]
    # Entra ID's way: a capital op and the boolean as text.
    patch = {"schemas": [PATCH], "Operations": [{"op": "Replace", "value": {"active": "False"}}]}
    response, changed = scim("PATCH", f"Users/{odd.pk}", patch)
    assert response.status_code == 200 and changed["active"] is False
    odd.refresh_from_db()
    assert not odd.is_active and odd.email == "ada@corp.local"


def test_entra_ids_payloads_are_understood(scim, team):
    enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    body = _person("grace", externalId="e-1")
    body["schemas"] = [USER, enterprise]
    body[enterprise] = {"department": "Engineering", "employeeNumber": "42"}
    response, grace = scim("POST", "Users", body)
    assert response.status_code == 201, grace
    patch = {
        "schemas": [PATCH],
        "Operations": [
            {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "grace@navy.example"},
            {"op": "Replace", "path": f"{enterprise}:department", "value": "Compilers"},
            {"op": "Add", "path": 'phoneNumbers[type eq "work"].value', "value": "+1 555 0100"},
            {"op": "Replace", "path": "name.familyName", "value": "Hopper"},
        ],
    }
    response, changed = scim("PATCH", f"Users/{grace['id']}", patch)
    assert response.status_code == 200, changed
    assert changed["emails"][0]["value"] == "grace@navy.example" and changed["name"]["familyName"] == "Hopper"
    _r, group = scim(
        "POST",
        "Groups",
        _group("gemba-checkout", grace["id"]),
    )
    # Entra ID removes a member with a value instead of a path filter.
    remove = {
        "schemas": [PATCH],
        "Operations": [{"op": "Remove", "path": "members", "value": [{"value": grace["id"]}]}],
    }
    response, emptied = scim("PATCH", f"Groups/{group['id']}", remove)
    assert response.status_code == 200 and not emptied.get("members")
    assert not Membership.objects.filter(user__username="grace").exists()


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", 'Users?filter=userName eq "a\\x"', None),
        ("GET", 'Users?filter=userName eq "\\ud800"', None),
        ("GET", 'Groups?filter=displayName eq "\\u12"', None),
        ("GET", "Users?filter=userName%20eq%20%22a%00b%22", None),
        ("POST", "Users", '{"schemas": ["' + USER + '"], "userName": "x", "externalId": "\\ud800"}'),
        ("POST", "Users", '{"schemas": ["' + USER + '"], "userName": "x", "externalId": "a\\u0000b"}'),
        ("POST", "Users", "[" * 100_000),
        ("POST", "Groups", '{"a":' * 100_000),
        ("GET", "Users?startIndex=99999999999999999999", None),
        ("GET", "Users/²", None),
        ("GET", "Groups/²", None),
        ("POST", "Groups", _group("g", "²")),
        ("POST", "Groups", {"schemas": [GROUP], "displayName": "g", "externalId": "x" * 300}),
    ],
)
def test_odd_text_and_numbers_get_a_scim_error_never_a_500(scim, db, method, path, body):
    response, document = scim(method, path, body)
    assert 200 <= response.status_code < 500, document
    assert not DirectoryGroup.objects.exists()


def test_usernames_match_in_any_case_beyond_ascii(scim, db):
    email = [{"value": "ada@example.org", "primary": True}]
    assert scim("POST", "Users", _person("Ädä", emails=email))[0].status_code == 201
    response, error = scim("POST", "Users", _person("äDÄ", emails=email))
    assert response.status_code == 409 and error["scimType"] == "uniqueness"
    assert scim("GET", 'Users?filter=userName eq "ÄDÄ"')[1]["totalResults"] == 1


def test_a_put_that_says_nothing_of_active_leaves_it_and_a_wrong_method_says_which_are_right(scim, db):
    _r, ada = scim("POST", "Users", _person("ada", active=False))
    body = _person("ada")
    del body["active"]
    assert scim("PUT", f"Users/{ada['id']}", body)[1]["active"] is False
    response, _error = scim("PUT", "Users", body)
    assert response.status_code == 405 and response["Allow"] == "GET, POST"


def test_a_large_groups_teams_are_set_in_queries_that_do_not_grow_with_its_members(scim, team, other_team):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    people = [UserFactory(username=f"p{n}") for n in range(65)]

    def create(name, members):
        body = _group(name, *(person.pk for person in members))
        with CaptureQueriesContext(connection) as queries:
            assert scim("POST", "Groups", body)[0].status_code == 201
        return len(queries)

    assert create("gemba-checkout-leads", people[:5]) == create("gemba-ledger", people[5:])
    roles = dict(Membership.objects.filter(team=other_team).values_list("user__username", "role"))
    assert len(roles) == 60 and set(roles.values()) == {"member"}
    assert set(Membership.objects.filter(team=team).values_list("role", flat=True)) == {"lead"}
