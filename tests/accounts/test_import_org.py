"""manage.py import_org and the admin's import page: good files, broken ones, leavers, size."""

import io
import json
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.importing import org_import
from accounts.models import ExternalAccount
from assessments.models import DimensionScore, Participation, TeamScore
from assessments.services import round_close
from teams.models import Group, GroupLead, Membership, Team
from tests.factories import MembershipFactory, TeamFactory, answer_all, make_model, make_round

DOCS = Path(__file__).resolve().parents[2] / "docs"
User = get_user_model()


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_org", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize("name", ["org-example.csv", "org-example.json"])
def test_the_example_file_imports_and_a_second_time_changes_nothing(db, name):
    out, _ = run(str(DOCS / name))
    assert "teams: 3 created" in out and "people: 3 created" in out and "memberships: 4 created" in out
    assert Team.objects.get(slug="checkout").group.slug == "payments"
    assert dict(Membership.objects.filter(user__username="grace").values_list("team__slug", "role")) == {
        "checkout": "member",
        "ledger": "member",
    }
    assert GroupLead.objects.filter(user__username="ada", group__slug="payments").exists()
    assert not User.objects.get(username="ada").has_usable_password()
    again, _ = run(str(DOCS / name))
    assert "groups: 0 created, 0 changed" in again and "people: 0 created, 0 changed" in again
    assert "memberships: 0 created, 0 changed, 0 removed" in again


def test_a_dry_run_prints_the_plan_and_changes_nothing(db):
    out, _ = run(str(DOCS / "org-example.csv"), "--dry-run")
    assert out.startswith("Dry run: nothing was changed.")
    assert "people: 3 created" in out
    assert not Team.objects.exists() and not User.objects.exists()


def test_leavers_are_deactivated_and_their_memberships_go_but_typed_ones_and_aggregates_stay(db, tmp_path):
    run(str(DOCS / "org-example.json"))
    data = json.loads((DOCS / "org-example.json").read_text())
    data["people"] = [p for p in data["people"] if p["username"] != "grace"]
    data["memberships"] = [m for m in data["memberships"] if m["username"] != "grace"]
    data["memberships"][0]["role"] = "member"  # ada steps down
    smaller = tmp_path / "org.json"
    smaller.write_text(json.dumps(data))
    typed = MembershipFactory(
        user=User.objects.get(username="linus"), team=TeamFactory(slug="guild", name="Guild")
    )
    # A closed round grace answered in, with its stored scores.
    checkout = Team.objects.get(slug="checkout")
    MembershipFactory(user=User.objects.get(username="linus"), team=checkout)
    model = make_model()
    round_ = make_round(model=model, teams=[checkout], state="past")
    for username, value in [("ada", "4"), ("grace", "2"), ("linus", "5")]:
        answer_all(round_, checkout, User.objects.get(username=username), value)
    round_close(round=round_)
    scores = list(
        DimensionScore.objects.filter(round=round_)
        .order_by("dimension_key")
        .values_list("dimension_key", "mean", "responses")
    )
    taken_part = Participation.objects.filter(round=round_).count()

    out, _ = run(str(smaller), "--dry-run")
    assert "1 deactivated" in out and "deactivated: grace" in out
    run(str(smaller))
    grace = User.objects.get(username="grace")
    assert not grace.is_active and not Membership.objects.filter(user=grace).exists()
    # Every anonymous aggregate stays, stored and rebuilt from the answers alike.
    call_command("rebuild_scores", stdout=io.StringIO())
    assert (
        list(
            DimensionScore.objects.filter(round=round_)
            .order_by("dimension_key")
            .values_list("dimension_key", "mean", "responses")
        )
        == scores
    )
    assert TeamScore.objects.get(round=round_, team=checkout).responses == 3
    assert Participation.objects.filter(round=round_).count() == taken_part == 3
    assert Membership.objects.get(user__username="ada", team__slug="checkout").role == "member"
    assert Membership.objects.filter(pk=typed.pk).exists()
    # Back in the next file: active again.
    run(str(DOCS / "org-example.json"))
    assert User.objects.get(username="grace").is_active


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        ("record,slug,name\nteam,checkout,Check\xf6ut\n".encode("latin-1"), "org.csv", "not UTF-8"),
        (b"slug,name\ncheckout,Checkout\n", "org.csv", "missing: record"),
        (b'{"teams": [', "org.json", "JSON cannot be read"),
        (b'{"squads": []}', "org.json", "unknown keys"),
    ],
)
def test_unreadable_files_say_why_and_import_nothing(db, tmp_path, content, name, expected):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError, match=expected):
        run(str(path))
    assert not Team.objects.exists()


def test_every_problem_is_named_with_row_and_column_and_nothing_is_imported(db, tmp_path):
    path = tmp_path / "org.csv"
    path.write_text(
        "record,slug,name,group,username,email,team,role\n"
        "team,checkout,Checkout,,,,,\n"
        "team,checkout,Checkout again,,,,,\n"  # row 3: duplicate slug
        "team,Bad Slug,Bad,,,,,\n"  # row 4
        "person,,Ada,,ada,not-an-email,,\n"  # row 5
        "membership,,,,ada,,nowhere,lead\n"  # row 6: unknown team
        "membership,,,,ghost,,checkout,member\n"  # row 7: unknown person
        "membership,,,,ada,,checkout,boss\n"  # row 8: bad role
        "team,ledger,Ledger,nogroup,,,,\n"  # row 9: unknown group
        "squad,x,,,,,,\n"  # row 10
    )
    with pytest.raises(CommandError, match="problems: nothing was imported"):
        _, err = run(str(path))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_org", str(path), stdout=io.StringIO(), stderr=err)
    text = err.getvalue()
    for expected in [
        "row 3, slug: 'checkout' is already given in row 2",
        "row 4, slug: 'Bad Slug' is not a slug",
        "row 5, email: 'not-an-email' is not an e-mail address",
        "row 6, team: no team 'nowhere'",
        "row 7, username: 'ghost' is not among the people of the file",
        "row 8, role: 'boss' is not member or lead",
        "row 9, group: no team group 'nogroup'",
        "row 10, record: must be one of",
    ]:
        assert expected in text, expected
    assert not Team.objects.exists() and not User.objects.exists()


def test_a_file_that_cannot_be_found_is_a_clear_error(db):
    with pytest.raises(CommandError, match="Cannot read"):
        run("/nonexistent/org.csv")


def test_fifty_thousand_rows_import_in_seconds(db):
    lines = ["record,slug,name,group,username,email,team,role", "group,g,G,,,,,"]
    lines += [f"team,t{n},Team {n},g,,,," for n in range(1000)]
    lines += [f"person,,Person {n},,p{n},p{n}@example.com,," for n in range(24_500)]
    lines += [f"membership,,,,p{n},,t{n % 1000},{'lead' if n < 1000 else 'member'}" for n in range(24_500)]
    content = "\n".join(lines).encode()
    start = time.perf_counter()
    plan = org_import(content=content, filename="big.csv", dry_run=False)
    elapsed = time.perf_counter() - start
    assert plan.counts["people created"] == 24_500 and plan.counts["memberships created"] == 24_500
    assert Membership.objects.count() == 24_500 and ExternalAccount.objects.count() == 24_500
    print(f"\n50,002 rows imported in {elapsed:.1f} s")


def test_the_admin_page_dry_runs_then_imports(admin_client, db):
    page = admin_client.get("/admin/accounts/externalaccount/import/")
    assert page.status_code == 200 and "Dry run" in page.content.decode()
    with open(DOCS / "org-example.csv", "rb") as upload:
        dry = admin_client.post("/admin/accounts/externalaccount/import/", {"file": upload, "dry_run": "on"})
    assert "The import would do this" in dry.content.decode() and not Team.objects.exists()
    with open(DOCS / "org-example.csv", "rb") as upload:
        done = admin_client.post("/admin/accounts/externalaccount/import/", {"file": upload})
    assert "Imported:" in done.content.decode() and Team.objects.count() == 3
    assert Group.objects.count() == 2
