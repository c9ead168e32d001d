"""A Catalan-speaking member in Barcelona: the sign-in page in Catalan from the browser, the time
zone taken from the browser, the survey in Catalan with local times; then a Spanish-speaking lead
picks Español in the menu and reads the same results."""

import re

import pytest
from playwright.sync_api import expect

from teams.models import Preferences
from tests.browser.a11y import check_page

pytestmark = pytest.mark.browser


@pytest.fixture
def barcelona(browser, browser_context_args, console):
    context = browser.new_context(
        **{**browser_context_args, "locale": "ca-ES", "timezone_id": "Europe/Madrid"}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    console.watch(page)
    yield page
    context.close()
    console.assert_clean()


def test_a_member_in_barcelona_uses_gemba_in_catalan(barcelona, demo, screenshot, live_server):
    page = barcelona
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "ca")
    page.get_by_label("Nom d'usuari").fill("member")
    page.get_by_label("Contrasenya").fill("gemba-demo")
    # The browser tells Gemba its zone at the first page; times then read in Barcelona's.
    with page.expect_response(re.compile("/accounts/preferences/time-zone/$")) as sent:
        page.get_by_role("button", name="Inicia la sessió").click()
    assert sent.value.status == 204
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hola")
    assert Preferences.objects.get(user=demo["member"]).time_zone == "Europe/Madrid"
    page.reload()
    expect(page.locator("body")).not_to_have_attribute("data-time-zone-url", re.compile("."))
    waiting = page.get_by_role("region", name=re.compile("Enquestes pendents"))
    expect(waiting).to_contain_text(re.compile(r"\d\d/\d\d/\d{4} \d\d:\d\d CET"))
    check_page(page)

    waiting.get_by_role("link", name="Respon l'enquesta").click()
    expect(page.locator("form.survey")).to_have_attribute("data-live", "true")
    expect(page.locator("form.survey")).to_have_attribute("lang", "ca")
    expect(page.get_by_role("heading", name=re.compile("Cultura i col·laboració"))).to_be_visible()
    expect(page.locator("fieldset.question").first.locator("label").first).to_contain_text(
        "Totalment en desacord"
    )
    check_page(page)
    screenshot(page, "survey-catalan")


def test_a_lead_switches_to_spanish_with_the_menu_and_keeps_it(page, demo, sign_in):
    sign_in(page, demo["lead"])
    page.goto("/teams/checkout/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Language").select_option("es")  # the menu sends itself
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page).to_have_url(re.compile("/teams/checkout/$"))
    expect(page.get_by_role("link", name="Revisión", exact=True)).to_be_visible()
    assert Preferences.objects.get(user=demo["lead"]).language == "es"
    page.goto("/org/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Organización")
