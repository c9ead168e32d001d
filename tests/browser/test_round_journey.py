"""A lead starts a round, follows participation, reminds, closes it, and reads the team dashboard."""

import random
import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from assessments.models import Question, Round
from assessments.services import response_save
from teams.models import Membership
from tests.browser.a11y import assert_charts_described, check_page
from tests.factories import MembershipFactory

pytestmark = pytest.mark.browser


def team_answers(round_: Round, people, seed: int = 3) -> None:
    """Submitted answers of these people, varied like real ones (a few don't know)."""
    rng = random.Random(seed)
    questions = list(Question.objects.filter(dimension__model=round_.model))
    team = round_.teams.get()
    for person in people:
        answers = {q.pk: rng.choice(["3", "4", "5", "5", "6", "6", "7", "dk"]) for q in questions}
        response_save(round=round_, team=team, user=person, answers=answers, comments={}, submit=True)


def test_lead_closes_a_round_and_reads_the_dashboard(page, demo, sign_in, screenshot):
    sign_in(page, demo["lead"])
    page.goto("/")
    page.get_by_role("link", name="Rounds").click()
    check_page(page)
    start = page.locator("form", has=page.get_by_role("button", name="Create round"))
    start.get_by_label("Name").fill("Checkout retro pulse")
    start.get_by_label("Checkout").check()
    start.get_by_role("button", name="Create round").click()
    expect(page.get_by_role("status")).to_contain_text("Round “Checkout retro pulse” created for 1 team.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Checkout retro pulse")

    # While the round is open the team answers; all but one of them.
    round_ = Round.objects.get(name="Checkout retro pulse")
    people = [m.user for m in Membership.objects.filter(team__slug="checkout").select_related("user")]
    while len(people) < 6:
        people.append(MembershipFactory(team=round_.teams.get()).user)
    team_answers(round_, people[:-1])
    page.reload()
    row = page.get_by_role("row", name=re.compile("Checkout"))
    expect(row).to_contain_text(f"{len(people)} {len(people) - 1}")
    check_page(page)
    screenshot(page, "round")

    page.get_by_role("button", name="Email a reminder to members who have not taken part").click()
    expect(page.get_by_role("status")).to_contain_text(
        "A reminder is on its way to 1 member who has not taken part yet."
    )
    expect(page.locator("[data-last-reminder]")).to_contain_text("by lead, 1 email.")
    # The worker sends it; a second click within the day reminds nobody twice, and says so.
    call_command("worker", "--batch", stdout=StringIO())
    assert [message.to for message in mail.outbox] == [[people[-1].email]]
    page.get_by_role("button", name="Email a reminder to members who have not taken part").click()
    expect(page.get_by_role("status")).to_contain_text("1 member was left out: reminded in the last 24 hours")
    # Closing asks first, saying what will happen; only the second step closes.
    page.locator("summary", has_text="Close now…").click()
    expect(page.get_by_text("It cannot be undone")).to_be_visible()
    expect(page.get_by_text("drafts that were saved but not submitted are dropped")).to_be_visible()
    screenshot(page, "round-close-ask", from_top=False)
    page.get_by_role("button", name="Close now and show results").click()
    expect(page.get_by_role("status")).to_contain_text("closed; its results are ready")
    expect(row).to_contain_text("ready")

    row.get_by_role("link", name="Checkout").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Checkout")
    expect(page.get_by_text(re.compile(r"Checkout retro pulse · closed"))).to_be_visible()
    expect(page.locator(".level-badge").first).to_contain_text("Level")
    expect(page.get_by_role("img", name=re.compile("Maturity per dimension"))).to_be_visible()
    page.get_by_text(re.compile(r"Answer distribution of \d+ questions")).click()
    expect(page.locator("#likert-title")).to_be_attached()
    assert assert_charts_described(page) >= 3  # radar, trend, answer distribution (and delivery)
    check_page(page)
    screenshot(page, "team-dashboard")

    page.get_by_role("navigation", name="Pages of Checkout").get_by_role("link", name="Delivery").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Checkout")
    check_page(page)
    screenshot(page, "delivery")
