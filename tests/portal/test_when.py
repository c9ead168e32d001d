"""One way to write times and days on every page: the ``when`` and ``day`` filters."""

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import timezone

from portal.templatetags.dashboard import delta
from portal.templatetags.when import day, when

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
MOMENT = datetime(2026, 12, 2, 4, 42, tzinfo=UTC)


def test_a_moment_is_written_with_its_zone():
    with timezone.override("UTC"):
        assert when(MOMENT) == "2 Dec 2026, 04:42 UTC"


def test_a_moment_is_written_in_the_current_zone():
    with timezone.override("Europe/Madrid"):
        assert when(MOMENT) == "2 Dec 2026, 05:42 CET"
    with timezone.override("Asia/Dubai"):  # no abbreviation in the zone database: its name
        assert when(MOMENT) == "2 Dec 2026, 08:42 Asia/Dubai"


def test_a_day_has_no_zone_and_nothing_is_written_for_none():
    assert day(date(2026, 12, 2)) == "2 Dec 2026"
    assert when(None) == "" and day(None) == ""


def test_templates_load_the_filters():
    rendered = Template("{% load when %}{{ at|when }} · {{ at|day }}").render(Context({"at": MOMENT}))
    assert rendered == "2 Dec 2026, 04:42 UTC · 2 Dec 2026"


def test_no_template_writes_a_date_its_own_way():
    """Every date a person reads goes through ``when`` or ``day``; only machine formats (ISO for
    ``<time datetime>``) use Django's ``date`` filter directly."""
    own_ways = []
    for path in TEMPLATES.rglob("*.html"):
        for found in re.finditer(r"\|date:(['\"])(.*?)\1|\|time:", path.read_text()):
            if found.group(2) not in ("Y-m-d", "c"):
                own_ways.append(f"{path.relative_to(TEMPLATES)}: {found.group(0)}")
    assert not own_ways


@pytest.mark.parametrize("value", [0, 0.2, -0.4])
def test_a_change_of_nothing_reads_no_change(value):
    html = delta(value)
    assert "no change" in html and "±" not in html and "=" not in html.replace('class="', "")


def test_a_change_has_its_sign_and_a_true_minus():
    assert "+6" in delta(6.2) and "▲" in delta(6.2)
    assert "−3" in delta(-3) and "▼" in delta(-3)
