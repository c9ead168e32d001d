"""Browser journeys: pytest-playwright driving the system's Chromium against pytest-django's live server.

Chromium is never downloaded: the tests use Debian's ``chromium`` (``apt-get install chromium``).
Without it they are skipped with the reason, except on CI (``CI=true``), where a missing Chromium
fails them so that CI cannot pass without running them.

The live server answers from another thread, so every journey uses ``live_server`` (which makes
the test transactional: its data is committed and the database emptied afterwards) and builds
its data with the factories or with ``seed_demo`` (the ``demo`` fixture).
"""

from __future__ import annotations

import os
import re
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command


def _chromium() -> str | None:
    """GEMBA_CHROMIUM if set (another Chromium or Chrome), else Debian's chromium."""
    candidates = (
        [os.environ["GEMBA_CHROMIUM"]]
        if os.environ.get("GEMBA_CHROMIUM")
        else [shutil.which("chromium") or "", "/usr/bin/chromium"]
    )
    return next((path for path in candidates if path and os.access(path, os.X_OK)), None)


CHROMIUM = _chromium()
ON_CI = os.environ.get("CI", "").lower() == "true"
MISSING = (
    "Chromium is not installed (no `chromium` on PATH or in /usr/bin, or GEMBA_CHROMIUM is not a program): "
    "the browser tests need Debian's Chromium (`apt-get install chromium`) or GEMBA_CHROMIUM pointing at "
    "a Chromium or Chrome; Playwright's own browsers are never downloaded."
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
# Chromium logs every 4xx answer; pages answer 400, 403, 404 or 409 on purpose (a form with errors,
# a refused move), so failed loads are judged by Console.response instead: only those of
# stylesheets, scripts, images and fonts count.
FAILED_LOAD = re.compile(r"^Failed to load resource: the server responded with a status of \d+")


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(reason=MISSING)
    for item in items:
        if item.get_closest_marker("browser"):
            item.user_properties.append(("browser", True))  # counted in the summary (tests/conftest.py)
            if not (CHROMIUM or ON_CI):
                item.add_marker(skip)


@pytest.fixture(scope="session")
def _allow_sync_orm_beside_playwright():
    """Playwright's sync API keeps an event loop running in the test thread for the rest of the
    session; Django refuses ORM calls from a thread with a running loop unless told it is safe
    (it is: nothing here is async)."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, _allow_sync_orm_beside_playwright):
    if not CHROMIUM:
        pytest.fail(f"CI=true and {MISSING}", pytrace=False)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url(live_server):
    # Replaces pytest-playwright's own (a --base-url option, defined in a way pytest deprecates).
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "viewport": DESKTOP,
        "locale": "en-GB",
        "timezone_id": "UTC",
        "reduced_motion": "reduce",
    }


@pytest.fixture(autouse=True)
def _plain_http(settings):
    """The live server speaks plain HTTP: whatever DJANGO_DEBUG says, cookies must travel over it."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.SECURE_SSL_REDIRECT = False
    settings.SECURE_HSTS_SECONDS = 0
    settings.LANGUAGE_COOKIE_SECURE = False


class Console:
    """Errors the page wrote to the console (CSP violations among them) or threw."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def record(self, message) -> None:
        if message.type == "error" and not FAILED_LOAD.match(message.text):
            self.errors.append(f"{message.text} ({message.location.get('url', '')})")

    def response(self, response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.errors.append(f"{response.status} for {response.request.resource_type} {response.url}")

    def watch(self, page) -> None:
        page.on("console", self.record)
        page.on("response", self.response)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    def assert_clean(self) -> None:
        assert not self.errors, "the browser console reported errors:\n" + "\n".join(self.errors)


@pytest.fixture
def console():
    return Console()


@pytest.fixture
def page(context, console, live_server):
    """A desktop-sized page whose console must stay free of errors for the whole journey."""
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.set_default_navigation_timeout(20_000)
    console.watch(page)
    yield page
    console.assert_clean()


@pytest.fixture
def phone(browser, browser_context_args, console):
    """A 375 × 740 touch phone (Chromium in mobile mode: it honours the viewport meta tag)."""
    context = browser.new_context(
        **{
            **browser_context_args,
            "viewport": PHONE,
            "is_mobile": True,
            "has_touch": True,
            "device_scale_factor": 2,
        }
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    console.watch(page)
    yield page
    context.close()
    console.assert_clean()


@pytest.fixture
def sign_in(live_server):
    """``sign_in(page, user)``: start a signed-in session without the login form (which
    test_survey_journey uses), by handing the browser a session cookie."""
    from django.test import Client

    def sign_in(page, user) -> None:
        client = Client()
        client.force_login(user, backend="accounts.backends.PasswordBackend")
        cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "url": live_server.url, "httpOnly": True}]
        )

    return sign_in


DEMO_ACCOUNTS = ("admin", "manager", "lead", "member")


@pytest.fixture
def demo(live_server, settings):
    """The demo portal of `make run` (seed_demo), with its accounts: admin, manager, lead, member."""
    from django.contrib.auth import get_user_model

    settings.DEBUG = True  # seed_demo refuses to run otherwise
    call_command("seed_demo", stdout=StringIO())
    settings.DEBUG = False
    return {user.username: user for user in get_user_model().objects.filter(username__in=DEMO_ACCOUNTS)}


@pytest.fixture
def screenshot(tmp_path):
    """``screenshot(page, name)``: a PNG of the page. With GEMBA_SCREENSHOTS=1 (`make screenshots`)
    it is written to docs/screenshots/<name>.png for the README; otherwise to a temporary folder,
    so an ordinary test run leaves the working tree as it was."""
    folder = SCREENSHOTS if os.environ.get("GEMBA_SCREENSHOTS") == "1" else tmp_path

    def take(page, name: str, *, from_top: bool = True) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        page.evaluate("document.activeElement && document.activeElement.blur()")
        if from_top:
            page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(path), animations="disabled", caret="hide")
        return path

    return take
