"""Personas shared by every test: a team in a group, its member and lead, the group's manager,
an outsider in another team of another group, and a staff admin."""

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
def _default_model_back_at_the_end(django_db_setup, django_db_blocker):
    """A transactional test ends by emptying the database, data migrations included; with
    --reuse-db the next run would then miss the shipped default model. Put it back at the end."""
    yield
    from assessments.services import default_model_ensure

    with django_db_blocker.unblock():
        default_model_ensure()


@pytest.fixture(autouse=True)
def _after_transactional_tests(request):
    marker = request.node.get_closest_marker("django_db")
    if {"transactional_db", "live_server"} & set(request.fixturenames) or (
        marker and marker.kwargs.get("transaction")
    ):
        request.getfixturevalue("_default_model_back_at_the_end")


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
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return sign_in


@pytest.fixture
def default_model(db):
    """Gemba's shipped model. A transactional test elsewhere may have flushed the rows the data
    migration made, so it is re-created from its file when missing."""
    from assessments.services import default_model_ensure

    return default_model_ensure()


def pytest_terminal_summary(terminalreporter):
    """Say how many browser journeys ran, so a CI log shows they were not silently skipped."""
    counts = {
        outcome: sum(
            1
            for report in terminalreporter.stats.get(outcome, [])
            if ("browser", True) in report.user_properties
        )
        for outcome in ("passed", "failed", "error", "skipped")
    }
    if any(counts.values()):
        summary = ", ".join(f"{n} {outcome}" for outcome, n in counts.items() if n)
        terminalreporter.write_line(f"browser journeys (Chromium): {summary}")
