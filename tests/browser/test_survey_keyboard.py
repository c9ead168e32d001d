"""The survey done with the keyboard alone: skip link, Tab between questions, arrow keys to answer,
and focus visible (and not hidden under the sticky progress bar) at every step."""

import re

import pytest
from playwright.sync_api import expect

from assessments.models import Answer, Response
from tests.browser.a11y import assert_focus_visible, check_page, focus_indicator
from tests.factories import make_model, make_round

pytestmark = pytest.mark.browser

ACTIVE = """
() => {
  const el = document.activeElement;
  return {
    tag: el.tagName.toLowerCase(), type: el.type || "", name: el.name || "", id: el.id,
    text: el.textContent.trim(),
    answered: el.type === "radio" && Boolean(el.form.querySelector(`input[name="${el.name}"]:checked`)),
  };
}
"""


@pytest.fixture
def survey(live_server, team, member):
    model = make_model(points=5, dimensions=3, questions=4)
    return make_round(model=model, teams=[team], name="Spring pulse")


def test_member_answers_the_survey_with_the_keyboard_alone(page, survey, member, sign_in):
    sign_in(page, member)
    page.goto(f"/surveys/{survey.pk}/checkout/")
    check_page(page, focus=False)

    page.keyboard.press("Tab")
    assert "Skip to content" in focus_indicator(page)["html"]
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    answered, commented = set(), 0
    for _ in range(120):
        page.keyboard.press("Tab")
        active = page.evaluate(ACTIVE)
        assert_focus_visible(page)
        if active["type"] == "radio" and not active["answered"]:
            page.keyboard.press("ArrowRight")  # moves to the second point and picks it
            page.keyboard.press("ArrowRight")  # and on to the third
            assert_focus_visible(page)
            answered.add(active["name"])
        elif active["tag"] == "textarea":
            page.keyboard.type("Typed without a mouse.")
            commented += 1
        elif active["tag"] == "button" and active["text"] == "Submit":
            break
    else:
        pytest.fail("Tab never reached the Submit button")
    assert len(answered) == 12 and commented == 3
    expect(page.locator("[data-answered]")).to_have_text("12")

    # Back up through the form to check an answer: focus never hides under the sticky progress bar.
    for _ in range(20):
        page.keyboard.press("Shift+Tab")
        assert_focus_visible(page)
    for _ in range(20):
        page.keyboard.press("Tab")
    assert page.evaluate(ACTIVE)["text"] == "Submit"
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/(#main)?$"))  # the browser keeps the skip link's #main
    expect(page.get_by_role("status")).to_contain_text("Thank you! Your answers for Checkout are in.")
    response = Response.objects.get(round=survey)
    assert response.status == Response.Status.SUBMITTED
    # Three presses of → from the first point: every answer is 3 ("label 3"), none left out.
    assert set(Answer.objects.filter(response=response).values_list("value", flat=True)) == {3}
    assert response.comments.count() == 3
