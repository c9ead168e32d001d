"""Hostile input to every form: never a 500, and nothing written when the input is refused.

Each test throws generated form data at one form (hypothesis, bounded and derandomised so CI
sees the same inputs every run): values out of range, wrong types, huge strings, NUL bytes,
lone combining marks, right-to-left overrides, zero-width characters, emoji, fields given twice
and fields the form does not know. Every input runs in a savepoint that is rolled back, so each
one meets the same database. A refusal (a 4xx, or a redirect with an error message) must leave
the tables the form writes exactly as they were. A form without a CSRF token is refused too.

Each test reports how many inputs it tried (``count:hostile inputs``); pytest prints the sum.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.messages import constants, get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from assessments.models import Answer, Comment, Participation, Question, Response, Round, TargetLevel
from audit.models import AuditEvent
from delivery.models import ApiToken, Deployment, Incident
from improvements.models import Action, Experiment, StageChange, WipLimit
from tests.factories import MembershipFactory, answer_all, make_round
from tests.security.conftest import fingerprint

EXAMPLES = 60

# --- What hostile input looks like ------------------------------------------------------------

HUGE = "A" * 100_000
NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u0301",  # a combining mark with nothing to combine with
    "\u202egnp.exe",  # right-to-left override
    "\u200b\u200c\u200d\ufeff",  # zero-width characters
    "👩‍👩‍👧‍👦🏳️‍🌈",
    "\U0010fffd",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    '=HYPERLINK("http://evil.example")',
    "{{ 7*7 }}{% debug %}",
    "../../etc/passwd",
    "\r\n\t",
    "-1",
    "0",
    "3.5",
    "1e309",
    "NaN",
    "99999999999999999999999",
    "-99999999999999999999999",
    "٣",  # an Arabic-Indic digit
    "true",
    "[]",
    "{}",
    HUGE,
]
ODD_CHARACTERS = (
    "\x00\u0301\u202e\u202d\u200b\u200d\ufeff\u0000\u2028\u2029\U0001f600\u00e9e\u0301\ud7ff\ue000"
)


def nasty_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NASTY),
        st.text(max_size=60),
        st.text(alphabet=ODD_CHARACTERS, max_size=30),
        st.integers(min_value=-(2**80), max_value=2**80).map(str),
    )


def value(*valid: object) -> st.SearchStrategy[str]:
    """A field value: one of the valid ones (as text) half of the time, hostile text otherwise."""
    valid_values = st.sampled_from([str(v) for v in valid]) if valid else nasty_text()
    return st.one_of(valid_values, nasty_text())


@st.composite
def form_data(draw, fields: dict[str, st.SearchStrategy[str]]) -> dict[str, object]:
    """Each field left out, given once or given two or three times; plus fields nobody asked for."""
    data: dict[str, object] = {}
    for name, values in fields.items():
        how = draw(st.sampled_from(["once", "once", "once", "missing", "repeated"]))
        if how == "once":
            data[name] = draw(values)
        elif how == "repeated":
            data[name] = draw(st.lists(values, min_size=2, max_size=3))
    unknown = draw(
        st.dictionaries(
            st.text(alphabet="abcdefghijklmnopqrstuvwxyz_-0123456789[]\u00e9\u202e", min_size=1, max_size=12),
            nasty_text(),
            max_size=3,
        )
    )
    for name, text in unknown.items():
        data.setdefault(name, text)
    return data


DATES = [
    "2025-02-30",
    "0001-01-01",
    "9999-12-31",
    "1900-01-01",
    "2025-13-01",
    "yesterday",
    "2025-1-1",
    "01/02/2025",
]
DATETIMES = [
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "2025-02-30T10:00",
    "2025-03-30T02:30",  # does not exist in Central Europe (summer time starts)
    "1970-01-01T00:00",
    "2025-03-01T25:61",
    "2025-03-01 10:00:00+14:00",
]


def future(days: int) -> str:
    return (timezone.localtime() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


# --- The harness -------------------------------------------------------------------------------


def error_messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level >= constants.ERROR]


def hostile(
    record_property,
    client: Client,
    *,
    send: Callable[[object], object],
    data: st.SearchStrategy,
    tables: Callable[[], object],
    refused: Callable[[object], bool],
    allowed: set[int],
    examples: int = EXAMPLES,
    some_accepted: bool = True,
) -> int:
    """Send ``examples`` generated inputs; check status, and an unchanged ``tables()`` on refusals.

    With ``some_accepted``, some inputs must get through too (the valid values are reachable).
    """
    tried = 0
    outcomes = {True: 0, False: 0}

    @given(data=data)
    @hypothesis_settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )
    def check(data):
        nonlocal tried
        tried += 1
        # Only this input's messages count: drop those that earlier inputs left in the cookie.
        client.cookies.pop("messages", None)
        with transaction.atomic():
            before = tables()
            response = send(data)
            content = b"".join(response.streaming_content) if response.streaming else response.content
            after = tables()
            was_refused = refused(response)
            transaction.set_rollback(True)
        outcomes[was_refused] += 1
        assert response.status_code in allowed, (response.status_code, content[:500])
        if was_refused:
            assert after == before, "a refused input changed the database"

    check()
    assert outcomes[True], "every input got through: the test does not test refusals"
    if some_accepted:
        assert outcomes[False], "no input got through: the valid values never reach the form"
    record_property("count:hostile inputs", tried)
    return tried


@pytest.fixture
def member_client(client_for, member):
    return client_for(member)


@pytest.fixture
def lead_client(client_for, lead):
    return client_for(lead)


# --- Survey: draft and submit ------------------------------------------------------------------


def survey_tables():
    return (
        Response.objects.count(),
        Answer.objects.count(),
        sorted(Answer.objects.values_list("question_id", "value", "special")),
        sorted(Comment.objects.values_list("dimension_id", "text")),
        Participation.objects.count(),
    )


def test_survey_draft_and_submit(world, member_client, record_property):
    round_ = world.own.open_round
    questions = list(Question.objects.filter(dimension__model=world.model).values_list("pk", flat=True))
    dimensions = list(world.model.dimensions.values_list("pk", flat=True))
    fields = {f"q{pk}": value(1, 2, 3, 4, 5, "dk", "na", 0, 6) for pk in questions}
    fields |= {f"c{pk}": nasty_text() for pk in dimensions}
    fields["action"] = value("submit", "draft", "submit")
    hostile(
        record_property,
        member_client,
        send=lambda data: member_client.post(f"/surveys/{round_.pk}/checkout/", data),
        data=form_data(fields),
        tables=survey_tables,
        refused=lambda r: r.status_code != 302,
        allowed={302, 400},
        examples=80,
    )


# --- Rounds, targets ---------------------------------------------------------------------------


def test_round_create(world, lead_client, record_property):
    zones = ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Europe/Berlin"]
    fields = {
        "name": value("Q3 check-in"),
        "model": value(world.model.pk, 0, -1, world.model.pk + 1000),
        "teams": value(world.own.team.pk, world.other.team.pk),
        "opens_at": value(future(0), *DATETIMES),
        "closes_at": value(future(14), future(-1), *DATETIMES),
        "k": value(3, 4, 2, 51, 0),
        "k_detail": value(5, 3, 2, 51),
    }

    def send(drawn):
        # Forms read dates in the active time zone: far from UTC, year 1 and 9999 overflow.
        zone, data = drawn
        with timezone.override(zone):
            return lead_client.post("/rounds/", data)

    hostile(
        record_property,
        lead_client,
        send=send,
        data=st.tuples(st.sampled_from(zones), form_data(fields)),
        tables=lambda: (
            list(Round.objects.values_list("pk", "name", "opens_at", "closes_at", "k", "k_detail")),
            Round.teams.through.objects.count(),
            AuditEvent.objects.count(),
        ),
        refused=lambda r: r.status_code != 302,
        allowed={302, 400},
        examples=80,
    )


def test_schedule_create(world, lead_client, record_property):
    from assessments.models import Schedule

    soon = (timezone.localdate() + timedelta(days=3)).isoformat()
    fields = {
        "name": value("Monthly pulse"),
        "model": value(world.model.pk, 0, world.model.pk + 1000),
        "teams": value(world.own.team.pk, world.other.team.pk),
        "cadence": value("monthly", "weeks", "quarterly", "yearly"),
        "every_weeks": value(2, 0, 27, -1),
        "starts_on": value(soon, *DATES),
        "opens_at_time": value("09:00", "25:00", "9"),
        "open_days": value(10, 0, 90, 400),
        "k": value(3, 2, 0),
        "k_detail": value(5, 2),
        "remind_after_days": value(3, -1, 40000),
        "remind_before_close_days": value(1, -3),
        "max_reminders": value(2, 11, -1),
        "reminder_gap_hours": value(24, -5, 70000),
        "ends_on": value("", soon, *DATES),
    }
    hostile(
        record_property,
        lead_client,
        send=lambda data: lead_client.post(
            "/rounds/schedules/", {f"schedule-{key}": value for key, value in data.items()}
        ),
        data=form_data(fields),
        tables=lambda: (
            list(Schedule.objects.values_list("pk", "name", "cadence", "open_days", "k", "k_detail")),
            Schedule.teams.through.objects.count(),
            AuditEvent.objects.count(),
        ),
        refused=lambda r: r.status_code != 302,
        allowed={302, 400},
        examples=60,
    )


@pytest.mark.parametrize(
    ("zone", "field", "moment"),
    [
        ("Pacific/Kiritimati", "opens_at", "0001-01-01T00:00"),  # UTC+14: before year 1 in UTC
        ("Pacific/Pago_Pago", "closes_at", "9999-12-31T23:59"),  # UTC−11: after year 9999 in UTC
        ("UTC", "opens_at", "0001-01-01T00:00"),
    ],
)
def test_round_dates_without_a_time_in_utc_are_refused(world, lead_client, zone, field, moment):
    data = {
        "name": "Far out",
        "model": world.model.pk,
        "teams": [world.own.team.pk],
        "opens_at": future(0),
        "closes_at": future(14),
        "k": 3,
        "k_detail": 5,
        field: moment,
    }
    with timezone.override(zone):
        response = lead_client.post("/rounds/", data)
    assert response.status_code == 400
    assert "between the years 2000 and 2999" in response.content.decode()
    assert not Round.objects.filter(name="Far out").exists()


def test_round_with_a_team_id_beyond_64_bits_is_refused(world, lead_client):
    data = {"name": "Big", "model": world.model.pk, "teams": [str(2**70)], "k": 3, "k_detail": 5}
    data |= {"opens_at": future(0), "closes_at": future(14)}
    response = lead_client.post("/rounds/", data)
    assert response.status_code == 400
    assert not Round.objects.filter(name="Big").exists()


def test_board_prefill_with_a_nul_byte_is_ignored(world, member_client):
    response = member_client.get("/teams/checkout/actions/", {"dimension": "dim\x001", "round": "\x00"})
    assert response.status_code == 200


@pytest.fixture
def scored_checkout(world, team):
    """A closed round with results for checkout, newer than the world's, so targets can be set."""
    round_ = make_round(model=world.model, teams=[team], state="past", name="Scored")
    Round.objects.filter(pk=round_.pk).update(closes_at=timezone.now() - timedelta(minutes=5))
    round_.refresh_from_db()
    for _ in range(3):
        answer_all(round_, team, MembershipFactory(team=team).user, "4")
    from assessments.services import round_close

    return round_close(round=round_)


def test_target_levels(world, scored_checkout, lead_client, record_property):
    keys = list(world.model.dimensions.values_list("key", flat=True))
    fields = {f"target-{key}": value("", 1, 2, 3, 4, 5, 6, 0) for key in keys}
    hostile(
        record_property,
        lead_client,
        send=lambda data: lead_client.post("/teams/checkout/targets/", data),
        data=form_data(fields),
        tables=lambda: sorted(TargetLevel.objects.values_list("team_id", "dimension_key", "level")),
        refused=lambda r: bool(error_messages(r)),
        allowed={302},
    )


# --- Improvement actions ----------------------------------------------------------------------


def action_fields(world, *, edit: bool = False) -> dict[str, st.SearchStrategy[str]]:
    member = world.users["member"]
    fields = {
        "title": value("Pair on deploys", "  spaced   out  "),
        "owner": value(member.pk, world.users["outsider"].pk, 0, -5),
        "due_date": value("", (timezone.localdate() + timedelta(days=9)).isoformat(), *DATES),
        "dimension": value("", *world.model.dimensions.values_list("pk", flat=True), 10**12),
        "source_round": value("", world.own.scored_round.pk, world.other.scored_round.pk, 2**40),
        "current_condition": nasty_text(),
        "target_condition": nasty_text(),
        "root_cause": nasty_text(),
        "countermeasure": nasty_text(),
    }
    if edit:
        fields["outcome"] = nasty_text()
    return fields


def action_tables():
    return (
        list(
            Action.objects.order_by("pk").values_list(
                "pk",
                "title",
                "owner_id",
                "due_date",
                "dimension_id",
                "source_round_id",
                "current_condition",
                "target_condition",
                "root_cause",
                "countermeasure",
                "outcome",
                "stage",
            )
        ),
        StageChange.objects.count(),
    )


def test_action_create(world, member_client, record_property):
    hostile(
        record_property,
        member_client,
        send=lambda data: member_client.post("/teams/checkout/actions/", data),
        data=form_data(action_fields(world)),
        tables=action_tables,
        refused=lambda r: r.status_code != 302,
        allowed={302, 400, 409},
    )


def test_action_create_into_a_full_plan_column(world, member_client, record_property):
    WipLimit.objects.update_or_create(team=world.own.team, stage="plan", defaults={"limit": 1})
    hostile(
        record_property,
        member_client,
        send=lambda data: member_client.post("/teams/checkout/actions/", data),
        data=form_data(action_fields(world)),
        tables=action_tables,
        refused=lambda r: r.status_code != 302,
        allowed={400, 409},
        examples=40,
        some_accepted=False,
    )


def test_action_edit(world, member_client, record_property):
    action = world.own.action
    hostile(
        record_property,
        member_client,
        send=lambda data: member_client.post(f"/actions/{action.pk}/edit/", data),
        data=form_data(action_fields(world, edit=True)),
        tables=action_tables,
        refused=lambda r: r.status_code != 302,
        allowed={302, 400},
    )


def test_action_move(world, member_client, record_property):
    action = world.own.action
    WipLimit.objects.update_or_create(team=world.own.team, stage="check", defaults={"limit": 1})
    services_move_someone_into_check(world)
    stages = ["plan", "do", "check", "act", "done", "dropped"]
    fields = {"stage": value(*stages, "PLAN", "Do", "backlog"), "next": value("/", "https://evil.example/")}
    paths = [f"/actions/{action.pk}/move/", f"/actions/{action.pk}/"]
    hostile(
        record_property,
        member_client,
        send=lambda data: member_client.post(paths[len(data) % 2], data),
        data=form_data(fields),
        tables=action_tables,
        refused=lambda r: bool(error_messages(r)),
        allowed={302},
    )


def services_move_someone_into_check(world):
    """Fill the Check column (limit 1), so moves into it are refused for being full."""
    from improvements import services

    card = services.action_create(
        team=world.own.team, title="Already checking", by=world.users["member"], owner=world.users["member"]
    )
    services.action_move(action=card, stage="do", by=world.users["member"])
    services.action_move(action=card, stage="check", by=world.users["member"])


def test_move_never_redirects_off_site(world, member_client):
    action = world.own.action
    # Off-site addresses, and words that redirect() would take for URL names (a 500 before).
    for target in (
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "a b",
        "home",
    ):
        response = member_client.post(f"/actions/{action.pk}/move/", {"stage": "dropped", "next": target})
        assert response.headers["Location"] == "/teams/checkout/actions/", target


def experiment_fields():
    return {
        "date": value(timezone.localdate().isoformat(), *DATES),
        "step": value("Deploy twice a day"),
        "expected": value("Smaller changes"),
        "happened": nasty_text(),
        "learned": nasty_text(),
    }


def experiment_tables():
    return list(
        Experiment.objects.order_by("pk").values_list(
            "pk", "action_id", "date", "step", "expected", "happened", "learned"
        )
    )


def test_experiment_add(world, member_client, record_property):
    action = world.own.action
    hostile(
        record_property,
        member_client,
        send=lambda data: member_client.post(f"/actions/{action.pk}/experiments/", data),
        data=form_data(experiment_fields()),
        tables=experiment_tables,
        refused=lambda r: r.status_code != 302,
        allowed={302, 400},
    )


def test_experiment_edit(world, member_client, record_property):
    action, experiment = world.own.action, world.own.experiment
    hostile(
        record_property,
        member_client,
        send=lambda data: member_client.post(f"/actions/{action.pk}/experiments/{experiment.pk}/", data),
        data=form_data(experiment_fields()),
        tables=experiment_tables,
        refused=lambda r: r.status_code != 302,
        allowed={302, 400},
    )


def test_wip_limits(world, lead_client, record_property):
    limit = value("", 1, 3, 99, 0, 100, -1)
    fields = {"plan": limit, "do": limit, "check": limit, "act": limit, "done": limit}
    hostile(
        record_property,
        lead_client,
        send=lambda data: lead_client.post("/teams/checkout/actions/limits/", data),
        data=form_data(fields),
        tables=lambda: sorted(WipLimit.objects.values_list("team_id", "stage", "limit")),
        refused=lambda r: r.status_code != 302,
        allowed={302, 400},
    )


# --- Delivery: history import and API tokens ---------------------------------------------------

DEPLOYMENT_HEADER = "external_id,service,environment,deployed_at,first_commit_at,status,is_rework"
INCIDENT_HEADER = "external_id,service,severity,started_at,resolved_at,deployment_external_id"
GOOD_DEPLOYMENT = "d-1,web,production,2025-03-01T14:30:00Z,2025-03-01T09:00:00Z,success,false"
GOOD_INCIDENT = "i-1,web,high,2025-03-02T09:00:00Z,2025-03-02T10:00:00Z,"


def csv_cell() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(
            [
                "2025-03-01T14:30:00Z",
                "0001-01-01T00:00:00+01:00",
                "9999-12-31T23:59:59-12:00",
                "2025-03-01",
                "1700000000",
                "success",
                "failure",
                "critical",
                "yes",
                "web",
                "d-1",
                '"quoted, with comma"',
                '"unterminated',
                "x" * 200_000,  # over the csv module's field size limit
            ]
        ),
        nasty_text(),
    )


@st.composite
def csv_file(draw, header: str, good_row: str) -> bytes:
    kind = draw(st.sampled_from(["good", "good", "rows", "rows", "bytes", "empty", "huge", "bom", "latin-1"]))
    if kind == "good":
        return f"{header}\n{good_row}\n".encode()
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    if kind == "empty":
        return b""
    if kind == "huge":
        return (header + "\n" + (good_row + "\n") * 70_000).encode()  # over 5 MB
    columns = header.split(",")
    chosen = draw(
        st.one_of(
            st.just(columns),
            st.permutations(columns),
            st.lists(
                st.sampled_from([*columns, "color", "EXTERNAL_ID", " service "]), min_size=1, max_size=9
            ),
        )
    )
    rows = draw(
        st.lists(
            st.one_of(
                st.just(good_row.split(",")),
                st.lists(csv_cell(), min_size=0, max_size=len(chosen) + 2),
            ),
            max_size=5,
        )
    )
    text = "\n".join(",".join(row) for row in [chosen, *rows]) + draw(st.sampled_from(["", "\n", "\r\n"]))
    if kind == "bom":
        return "\ufeff".encode() + text.encode()
    if kind == "latin-1":
        return text.encode("latin-1", errors="replace") + b"\xe9\xff"
    return text.encode()


FILE_NAMES = [
    "deployments.csv",
    "d\u202evsc.exe",
    "\U0001f680.csv",
    "a" * 300 + ".csv",
    "../../x.csv",
    "noext",
]


@st.composite
def import_data(draw) -> dict[str, object]:
    data: dict[str, object] = {}
    for field, header, good in (
        ("deployments", DEPLOYMENT_HEADER, GOOD_DEPLOYMENT),
        ("incidents", INCIDENT_HEADER, GOOD_INCIDENT),
    ):
        how = draw(st.sampled_from(["file", "file", "missing", "text", "two files"]))
        if how == "text":
            data[field] = draw(nasty_text())
        elif how != "missing":
            files = [
                SimpleUploadedFile(
                    draw(st.sampled_from(FILE_NAMES)), draw(csv_file(header, good)), "text/csv"
                )
                for _ in range(2 if how == "two files" else 1)
            ]
            data[field] = files if len(files) > 1 else files[0]
    return data


def test_history_import(world, lead_client, record_property):
    hostile(
        record_property,
        lead_client,
        send=lambda data: lead_client.post("/teams/checkout/delivery/import/", data),
        data=import_data(),
        tables=lambda: (
            sorted(Deployment.objects.values_list("team_id", "external_id")),
            sorted(Incident.objects.values_list("team_id", "external_id")),
        ),
        refused=lambda r: r.status_code != 302,
        allowed={200, 302},
        examples=80,
    )


def test_token_create(world, lead_client, record_property):
    hostile(
        record_property,
        lead_client,
        send=lambda data: lead_client.post("/teams/checkout/delivery/tokens/", data),
        data=form_data({"name": value("GitHub Actions", "x" * 100, "x" * 101)}),
        tables=lambda: (sorted(ApiToken.objects.values_list("team_id", "name")), AuditEvent.objects.count()),
        refused=lambda r: r.status_code != 200,
        allowed={200, 302},
        examples=40,
    )


# --- Sign-in --------------------------------------------------------------------------------------


def test_login(world, record_property):
    client = Client()
    hostile(
        record_property,
        client,
        send=lambda data: client.post("/accounts/login/", data),
        data=form_data({"username": value("member", "MEMBER"), "password": value("wrong")}),
        # A failed sign-in is recorded for the lockout; nothing else may change.
        tables=lambda: (Action.objects.count(), Response.objects.count()),
        refused=lambda r: True,
        allowed={200, 302, 429},
        examples=40,
        some_accepted=False,
    )


# --- CSRF ---------------------------------------------------------------------------------------


CSRF_FORMS = [
    ("member", "/surveys/{open}/checkout/", lambda w: {"action": "draft"}),
    ("lead", "/rounds/", lambda w: {"name": "R", "model": w.model.pk, "teams": [w.own.team.pk]}),
    ("lead", "/teams/checkout/targets/", lambda w: {}),
    ("member", "/teams/checkout/actions/", lambda w: {"title": "T", "owner": w.users["member"].pk}),
    ("member", "/actions/{action}/move/", lambda w: {"stage": "do"}),
    ("member", "/actions/{action}/", lambda w: {"stage": "do"}),
    ("member", "/actions/{action}/edit/", lambda w: {"title": "T", "owner": w.users["member"].pk}),
    ("member", "/actions/{action}/experiments/", lambda w: {"step": "s", "expected": "e"}),
    ("member", "/actions/{action}/experiments/{experiment}/", lambda w: {"step": "s", "expected": "e"}),
    ("lead", "/teams/checkout/actions/limits/", lambda w: {"do": "5"}),
    ("lead", "/teams/checkout/delivery/tokens/", lambda w: {"name": "CI"}),
    ("lead", "/teams/checkout/delivery/tokens/{token}/revoke/", lambda w: {}),
    ("lead", "/teams/checkout/delivery/import/", lambda w: {}),
    ("lead", "/rounds/{open}/remind/", lambda w: {}),
    ("lead", "/rounds/{open}/close/", lambda w: {}),
    (
        "member",
        "/accounts/password/",
        lambda w: {"old_password": "x", "new_password1": "y", "new_password2": "y"},
    ),
    ("member", "/accounts/logout/", lambda w: {}),
]


@pytest.mark.parametrize(("persona", "path", "data"), CSRF_FORMS, ids=[p for _, p, _ in CSRF_FORMS])
def test_form_without_a_valid_csrf_token_is_refused(world, persona, path, data, record_property):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users[persona], backend="accounts.backends.PasswordBackend")
    path = path.format(
        open=world.own.open_round.pk,
        action=world.own.action.pk,
        experiment=world.own.experiment.pk,
        token=world.own.token.pk,
    )
    before = fingerprint()
    for token in ("missing", "forged"):
        body = data(world)
        if token == "forged":
            client.cookies["csrftoken"] = "a" * 32
            body["csrfmiddlewaretoken"] = "b" * 32
        response = client.post(path, body)
        assert response.status_code == 403, token
        assert fingerprint() == before, token
    assert client.get("/").status_code == 200, "still signed in"
    record_property("count:hostile inputs (form posts without a valid CSRF token)", 2)


# --- Query strings of the pages that read them ---------------------------------------------------


def test_query_parameters(world, scored_checkout, client_for, manager, record_property):
    client = client_for(manager)
    pages = [
        ("/org/", ["group", "round", "sort"]),
        ("/org/heatmap.csv", ["group", "round", "sort"]),
        ("/teams/checkout/", ["round"]),
        ("/teams/checkout/actions/", ["dimension", "round"]),
    ]
    known = value("payments", "platform", scored_checkout.pk, "dim-1", "-overall", "culture", 2**70)
    page = st.sampled_from(pages).flatmap(
        lambda p: st.tuples(st.just(p[0]), form_data(dict.fromkeys(p[1], known)))
    )
    hostile(
        record_property,
        client,
        send=lambda drawn: client.get(*drawn),
        data=page,
        tables=fingerprint,
        refused=lambda r: True,  # reading pages: nothing may change, whatever the query
        allowed={200},
        some_accepted=False,
    )
