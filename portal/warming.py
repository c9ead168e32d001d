"""Pages ready before anyone looks: the worker computes what the dashboards show into the shared
cache (CACHE_URL: files in the project folder by default, Redis with several servers).

- After a round is scored: the org's aggregates and charts first, then each of its teams'
  results and charts, in every language in use (the site's and those people chose).
- When a team's delivery data changes (a deployment or an incident arrives): its DORA keys and
  delivery charts.
- When the delivery time slot turns (GEMBA_DELIVERY_CACHE_SECONDS): every team's keys and charts.

``due`` finds what is not warm yet; the worker's tick runs it (portal.tasks.warm_due). What is
warm is known by a marker under the same key a page would read, so a restart, a second worker or
a rebuild of scores never warms twice and never misses anything. Teams are claimed in batches
(BATCH): workers whose ticks run at once share a large round or a new time slot.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection
from django.db.models import Max
from django.utils import timezone, translation

from assessments import results
from assessments.models import DimensionScore, Round, TeamScore
from caching import key
from delivery import metrics
from delivery.models import DeliveryVersion
from portal.charts.delivery import delivery_trend_charts
from portal.templatetags.dashboard import heatmap_group_rows
from portal.views.org import group_dots, org_charts
from portal.views.team import results_charts
from teams.models import Membership, Preferences, Team

log = logging.getLogger(__name__)

# Teams warmed per claim: several workers share a large round or a new time slot, batch by batch.
BATCH = 100
# How far back a scored round still gets its pages warmed (older ones are warm already, or
# nobody opens them first).
RECENT = timedelta(days=7)
MARKED = 7 * 24 * 3600


def languages_in_use(team_ids: Iterable[int] | None = None) -> list[str]:
    """The site's language and those people chose (of these teams' members, when given)."""
    chosen = Preferences.objects.exclude(language="")
    if team_ids is not None:
        chosen = chosen.filter(user__memberships__team_id__in=list(team_ids))
    known = dict(settings.LANGUAGES)
    languages = {settings.LANGUAGE_CODE, *chosen.values_list("language", flat=True).distinct()}
    return sorted(language for language in languages if language in known)


def team_pages(team: Team, languages: Iterable[str]) -> None:
    """A team's dashboard as its first viewer would need it: results, charts, delivery."""
    for language in languages:
        with translation.override(language):
            results_charts(results.team_results(team))
            delivery_trend_charts(metrics.team_delivery(team).months)


def team_delivery_pages(team: Team, languages: Iterable[str]) -> None:
    for language in languages:
        with translation.override(language):
            delivery_trend_charts(metrics.team_delivery(team).months)


def round_org_pages(round_: Round) -> None:
    """The org's aggregates and charts of a scored round, in every language in use: first, so
    the org page is ready within seconds of a close, whatever the org's size."""
    results.warm(round_)
    heatmap = org_page()
    for language in languages_in_use():
        with translation.override(language):
            org_charts(heatmap)
            if heatmap.by_groups:
                heatmap_group_rows(heatmap)


def round_team_pages(round_: Round) -> int:
    """The round's teams' dashboards, a batch at a time, each batch claimed on its own: workers
    running at once share a large round. Returns how many teams this call warmed."""
    team_ids = list(round_.teams.filter(active=True).order_by("pk").values_list("pk", flat=True))
    warmed = 0
    for start in range(0, len(team_ids), BATCH):
        if not _mark("round-teams", (round_.pk, round_.scored_at, start)):
            continue
        teams = list(Team.objects.filter(pk__in=team_ids[start : start + BATCH]))
        languages_by_team = _languages_by_team([team.pk for team in teams])
        for team in teams:
            team_pages(team, languages_by_team[team.pk])
        warmed += len(teams)
    return warmed


def org_page() -> results.Heatmap:
    """The org page as it opens (by groups in a large org), and, by groups, the delivery of its
    teams: what every viewer of it reads alike."""
    heatmap = results.org_heatmap(
        viewer=AnonymousUser(),
        group_slug=None,
        round_id=None,
        sort=None,
        teams_at_once=settings.GEMBA_ORG_TEAMS_AT_ONCE,
    )
    if heatmap.by_groups:
        group_dots(heatmap, "maturity")
    return heatmap


def delivery_pages(team_ids: list[int], *, org: bool = True) -> int:
    """The DORA keys of these teams in the current slot and their delivery charts; with ``org``,
    first every team's keys and the org page."""
    everyone = Team.objects.active()
    if org:
        metrics.teams_performance(everyone)
        org_page()
    teams = list(everyone.filter(pk__in=team_ids))
    languages_by_team = _languages_by_team(team_ids)
    for team in teams:
        team_delivery_pages(team, languages_by_team[team.pk])
    return len(teams)


def _languages_by_team(team_ids: list[int]) -> dict[int, list[str]]:
    known = dict(settings.LANGUAGES)
    chosen: dict[int, set[str]] = {pk: {settings.LANGUAGE_CODE} for pk in team_ids}
    for team_id, language in (
        Membership.objects.filter(team_id__in=team_ids)
        .exclude(user__preferences__language="")
        .exclude(user__preferences__language__isnull=True)
        .values_list("team_id", "user__preferences__language")
        .distinct()
    ):
        if language in known:
            chosen[team_id].add(language)
    return {pk: sorted(languages) for pk, languages in chosen.items()}


def _mark(name: str, depends_on) -> bool:
    """True the first time (the work is ours to do), False when it was marked before."""
    return cache.add(key(f"warm:{name}", depends_on), True, MARKED)


def due(now=None) -> dict[str, int]:
    """Warm whatever is not warm yet; returns what was done. Safe on several workers: each piece
    of work is claimed by adding its marker, which only one of them can."""
    now = now or timezone.now()
    done = {"rounds": 0, "teams": 0}
    recent = Round.objects.scored().filter(scored_at__gte=now - RECENT).select_related("model")
    # A dashboard opens on its team's newest scored round: older rounds wait for someone to ask.
    newest = set(
        TeamScore.objects.filter(team__active=True)
        .values("team")
        .annotate(last=Max("round__closes_at"))
        .values_list("last", flat=True)
    )
    for round_ in [r for r in recent if r.closes_at in newest]:
        if _mark("round", (round_.pk, round_.scored_at)):
            round_org_pages(round_)
            done["rounds"] += 1
        done["teams"] += round_team_pages(round_)
    slot = metrics.slot()
    versions = DeliveryVersion.objects.of(Team.objects.active().values_list("pk", flat=True))
    pending, warmed = sorted(versions.items()), 0
    for start in range(0, len(pending), BATCH):
        batch = pending[start : start + BATCH]
        claimed = [pk for pk, version in batch if _mark("delivery", (pk, version, slot))]
        if claimed:
            warmed += delivery_pages(claimed, org=warmed == 0)
    if warmed:
        done["delivery teams"] = warmed
    return done


def process() -> None:
    """What a fresh web process would otherwise do at its first requests: import every view and
    build the URL resolver, compile every template and load every language's catalog (a few
    hundred milliseconds). The WSGI entry point runs it, so the first view after a restart is as
    fast as the next."""
    from pathlib import Path

    from django.template.loader import get_template
    from django.urls import get_resolver, reverse

    get_resolver().url_patterns  # noqa: B018 - imports the views
    reverse("home")  # fills the resolver's reverse index

    folder = Path(settings.BASE_DIR) / "templates"
    for path in sorted(folder.rglob("*.html")):
        get_template(str(path.relative_to(folder)))
    from django.utils.translation import trans_real

    for language, _name in settings.LANGUAGES:
        trans_real.translation(language)  # reads the language's catalogs once per process

    # A first word with the shared cache and a first read of stored scores: the clients' code
    # and the driver's type adapters load once per process (80 ms with Redis). The database
    # connection is closed again: a server that forks after loading this (gunicorn --preload)
    # must not share it between workers.
    # Best effort: a database or cache not reachable yet (or not allowed, as in tests that import
    # the WSGI module) must never stop a process from starting; its first request pays instead.
    try:
        cache.get(key("warm:process", 1))
        DimensionScore.objects.filter(pk=0).first()
        Round.objects.select_related("model").filter(pk=0).first()
    except Exception as unreachable:  # noqa: BLE001 - any failure only means no head start
        log.info("no head start for this process: %s", unreachable)
    finally:
        connection.close()
