"""An administrator moves an organisation in from one file in Django admin: a broken file first
(every problem named, nothing imported), then a dry run, then the import."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from teams.models import Membership, Team
from tests.factories import UserFactory

pytestmark = pytest.mark.browser

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "org-example.csv"


def test_admin_dry_runs_then_imports_the_organisation(page, sign_in, screenshot, tmp_path):
    sign_in(page, UserFactory(username="root", is_staff=True, is_superuser=True))
    page.goto("/admin/accounts/externalaccount/")
    page.get_by_role("link", name="Import organisation").click()

    broken = tmp_path / "org.csv"
    broken.write_text(
        "record,slug,name,group,username,email,team,role\nteam,checkout,Checkout,,,,,\n"
        "membership,,,,ghost,,checkout,member\n"
    )
    page.get_by_label("Organisation file (CSV or JSON)").set_input_files(broken)
    page.get_by_role("button", name="Read the file").click()
    expect(page.locator(".errornote")).to_contain_text("Nothing was imported: 1 problem to fix")
    expect(page.locator(".errornote")).to_contain_text(
        "row 3, username: 'ghost' is not among the people of the file"
    )

    page.get_by_label("Organisation file (CSV or JSON)").set_input_files(EXAMPLE)
    expect(page.get_by_label("Dry run: say what would change, change nothing")).to_be_checked()
    page.get_by_role("button", name="Read the file").click()
    plan = page.get_by_role("heading", name="Dry run: nothing was changed. The import would do this:")
    expect(plan).to_be_visible()
    expect(page.get_by_text("teams: 3 created, 0 changed")).to_be_visible()
    screenshot(page, "admin-import-dry-run")
    assert not Team.objects.exists()

    page.get_by_label("Organisation file (CSV or JSON)").set_input_files(EXAMPLE)
    page.get_by_label("Dry run: say what would change, change nothing").uncheck()
    page.get_by_role("button", name="Read the file").click()
    expect(page.get_by_role("heading", name="Imported:")).to_be_visible()
    assert Team.objects.count() == 3 and Membership.objects.count() == 4
