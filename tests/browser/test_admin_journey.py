"""An administrator copies the maturity model in use as a new, editable version in Django admin."""

import re

import pytest
from playwright.sync_api import expect

from assessments.models import MaturityModel

pytestmark = pytest.mark.browser


def test_admin_copies_a_frozen_model_as_a_new_version(page, demo):
    page.goto("/admin/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("gemba-demo")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Maturity models").click()

    # The shipped version 2, used by the demo's rounds (version 1 stays for older rounds).
    row = page.get_by_role("row", name=re.compile(r"Gemba DevOps maturity\s+2\b"))
    expect(row).to_have_count(1)
    row.get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option(label="Copy as new version")
    page.get_by_role("button", name=re.compile("^(Go|Run)$")).click()

    expect(page.locator(".messagelist")).to_contain_text(
        "Gemba DevOps maturity copied as version 3 (unpublished, editable)."
    )
    copy = MaturityModel.objects.get(name="Gemba DevOps maturity", version=3)
    assert not copy.published
    original = MaturityModel.objects.get(name="Gemba DevOps maturity", version=2)
    assert copy.dimensions.count() == original.dimensions.count()

    # The copy is editable (the original, used by rounds, is not): change its description.
    page.get_by_role("row", name=re.compile("Gemba DevOps maturity.*\\b3\\b")).get_by_role(
        "link"
    ).first.click()
    page.get_by_label("Description").fill("Our own adaptation, for the next rounds.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    copy.refresh_from_db()
    assert copy.description == "Our own adaptation, for the next rounds."


def test_admin_reads_how_reliable_each_dimension_is(page, demo, screenshot):
    page.goto("/admin/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("gemba-demo")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Maturity models").click()
    page.get_by_role("row", name=re.compile(r"Gemba DevOps maturity\s+2\b")).get_by_role("link").first.click()

    report = page.locator(".reliability-report")
    expect(report).to_contain_text("Cronbach")
    # Every dimension of the closed demo rounds has its alpha, written with two decimals.
    first_table = report.locator("table").first
    alphas = first_table.locator("tbody tr:not(.pulls-down) th + td").all_inner_texts()
    assert alphas and all(re.match(r"^-?\d\.\d\d", text) for text in alphas), alphas
    report.scroll_into_view_if_needed()
    screenshot(page, "model-reliability", from_top=False)
