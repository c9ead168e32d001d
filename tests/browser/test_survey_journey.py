"""A member signs in, saves half a survey as a draft, comes back, submits, and sees home change."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.a11y import check_page

pytestmark = pytest.mark.browser


def answer(question, option: int) -> None:
    """Pick an answer the way a person does: by clicking its button (the label of the radio)."""
    question.locator("label").nth(option).click()


def test_member_saves_a_draft_comes_back_and_submits(page, demo, screenshot):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    check_page(page)
    page.get_by_label("Username").fill("member")
    page.get_by_label("Password").fill("gemba-demo")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")
    waiting = page.get_by_role("region", name=re.compile("Surveys waiting for me"))
    expect(waiting.get_by_text("Not started")).to_be_visible()
    check_page(page)
    screenshot(page, "home")

    waiting.get_by_role("link", name="Take the survey").click()
    expect(page.locator("form.survey")).to_have_attribute("data-live", "true")
    questions = page.locator("fieldset.question")
    total = questions.count()
    assert total >= 30
    first_section = page.locator("form.survey section").first
    in_first = first_section.locator("fieldset.question")
    for i in range(in_first.count()):
        answer(in_first.nth(i), 4 + i % 3)
    first_section.get_by_role("textbox").fill("Retros help; follow-ups get lost.")
    expect(page.locator("[data-answered]")).to_have_text(str(in_first.count()))
    check_page(page)
    screenshot(page, "survey")
    page.get_by_role("button", name="Save draft").click()

    expect(page.get_by_role("status")).to_contain_text("Draft saved")
    page.get_by_role("link", name="Home").click()
    waiting = page.get_by_role("region", name=re.compile("Surveys waiting for me"))
    expect(waiting.get_by_text("Draft saved")).to_be_visible()

    # Back later: the draft is there, and a submit with gaps keeps it and says what is missing.
    waiting.get_by_role("link", name="Continue").click()
    expect(in_first.first.locator("input:checked")).to_have_count(1)
    expect(first_section.get_by_role("textbox")).to_have_value("Retros help; follow-ups get lost.")
    page.get_by_role("button", name="Submit").click()
    missing = total - in_first.count()
    expect(page.get_by_role("status")).to_contain_text(f"{missing} questions still need an answer")
    expect(page.locator("#missing li")).to_have_count(missing)
    expect(page.locator("fieldset.question-missing")).to_have_count(missing)
    expect(in_first.first.locator("input:checked")).to_have_count(1)
    check_page(page)

    for i in range(total):
        if not questions.nth(i).locator("input:checked").count():
            answer(questions.nth(i), i % 9)
    expect(page.locator("[data-answered]")).to_have_text(str(total))
    page.get_by_role("button", name="Submit").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("status")).to_contain_text("Thank you! Your answers for Checkout are in.")
    waiting = page.get_by_role("region", name=re.compile("Surveys waiting for me"))
    expect(waiting.get_by_text("Answered")).to_be_visible()
    expect(waiting.get_by_role("link", name="Change my answers")).to_be_visible()
    check_page(page)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("status")).to_contain_text("You are signed out.")
    check_page(page)
