"""Personas shared by every test: a team in a group, its member and lead, the group's manager,
an outsider in another team of another group, and a staff admin."""

from unittest import mock

import pytest
from django.test.utils import override_settings

from teams.models import Membership
from tests.factories import GroupFactory, GroupLeadFactory, MembershipFactory, TeamFactory, UserFactory

FAST_SETTINGS = {
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "STORAGES": {
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    },
    "CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
}


@pytest.fixture(autouse=True, scope="session")
def _fast_test_settings():
    with override_settings(**FAST_SETTINGS):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, with the default maturity model its data migration makes.

    Transactional tests (races, browser journeys) flush every table when they end; with
    --reuse-db the next run would start without that model. Making it again is a no-op if it
    is there; tests that need it mid-session ask for the ``default_model`` fixture.
    """
    from assessments.services import default_model_ensure

    with django_db_blocker.unblock():
        default_model_ensure()


@pytest.fixture(autouse=True)
def _worker_keeps_the_test_transaction():
    """The task worker closes "old" connections between tasks; inside a test's transaction every
    connection looks old (autocommit is off) and closing it would end the test's transaction."""
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        yield


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def group(db):
    return GroupFactory(name="Payments", slug="payments")


@pytest.fixture
def team(group):
    return TeamFactory(group=group, name="Checkout", slug="checkout")


@pytest.fixture
def other_team(db):
    return TeamFactory(group=GroupFactory(name="Platform", slug="platform"), name="Ledger", slug="ledger")


@pytest.fixture
def member(team):
    return MembershipFactory(team=team, user=UserFactory(username="member"), role=Membership.Role.MEMBER).user


@pytest.fixture
def lead(team):
    return MembershipFactory(team=team, user=UserFactory(username="lead"), role=Membership.Role.LEAD).user


@pytest.fixture
def manager(group):
    return GroupLeadFactory(group=group, user=UserFactory(username="manager")).user


@pytest.fixture
def outsider(other_team):
    return MembershipFactory(team=other_team, user=UserFactory(username="outsider")).user


@pytest.fixture
def staff(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def client_for(client):
    """Sign a persona in on the test client: ``client_for(member)``."""

    def sign_in(user):
        client.force_login(user, backend="accounts.backends.PasswordBackend")
        return client

    return sign_in


@pytest.fixture
def default_model(db):
    """Gemba's shipped model. A transactional test elsewhere may have flushed the rows the data
    migration made, so it is re-created from its file when missing."""
    from assessments.services import default_model_ensure

    return default_model_ensure()


# --- Counts that tests report (``record_property("count:<what>", n)``), summed at the end --------
# record_property travels with the test report, so the sums are right under pytest-xdist too.
_COUNTS: dict[str, dict[str, int]] = {}


def pytest_runtest_logreport(report):
    if report.when == "call":
        for name, value in report.user_properties:
            if name.startswith("count:"):
                _COUNTS.setdefault(name.removeprefix("count:"), {})[report.nodeid] = value


def pytest_terminal_summary(terminalreporter):
    for what, per_test in sorted(_COUNTS.items()):
        terminalreporter.write_sep("-", f"{what}: {sum(per_test.values())} in {len(per_test)} tests")
        if len(per_test) <= 15:
            for nodeid, value in sorted(per_test.items()):
                terminalreporter.write_line(f"{value:>6}  {nodeid}")
    # Say how many browser journeys ran, so a CI log shows they were not silently skipped.
    counts = {
        outcome: sum(
            1
            for report in terminalreporter.stats.get(outcome, [])
            if ("browser", True) in getattr(report, "user_properties", ())
        )
        for outcome in ("passed", "failed", "error", "skipped")
    }
    if any(counts.values()):
        summary = ", ".join(f"{n} {outcome}" for outcome, n in counts.items() if n)
        terminalreporter.write_line(f"browser journeys (Chromium): {summary}")
