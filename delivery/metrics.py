"""Reading the DORA keys of teams: a few queries feed the pure functions in delivery.dora."""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from delivery import dora
from delivery.models import DeliveryVersion, Deployment, Incident
from teams.models import Team

WINDOW_DAYS = 90
MONTHS = 12

LEVEL_LABELS = {
    dora.Level.ELITE: _("Elite"),
    dora.Level.HIGH: _("High"),
    dora.Level.MEDIUM: _("Medium"),
    dora.Level.LOW: _("Low"),
}


@dataclass(frozen=True)
class TeamDelivery:
    """One team's keys over the rolling window and per month, with its level."""

    team: Team
    window_days: int
    window: dora.Keys
    performance: dora.Performance | None
    months: list[dora.Keys]
    environments: list[str]


@dataclass(frozen=True)
class TeamPerformance:
    """One team's delivery performance over the window, for org views (score 0–100)."""

    team_id: int
    slug: str
    name: str
    deployments: int
    score: float | None
    level: dora.Level | None


def _keys(kind: str, versions: dict[int, str], parts: tuple) -> dict[int, str]:
    """team id → the cache key of its value for its current version and time slot."""
    seconds = settings.GEMBA_DELIVERY_CACHE_SECONDS
    now = time.time()
    shared = (kind, parts, settings.GEMBA_DELIVERY_ENVIRONMENTS, timezone.get_current_timezone_name())
    keys = {}
    for team_id, version in versions.items():
        # Each team's slot starts at its own offset, so the org's entries do not all expire at once.
        slot = int((now + team_id * 7919 % seconds) // seconds)
        source = repr((shared, team_id, version, slot))
        keys[team_id] = "delivery:" + hashlib.sha256(source.encode()).hexdigest()
    return keys


def _cached[T](
    kind: str, team_ids: list[int], parts: tuple, compute: Callable[[list[int]], dict[int, T]]
) -> dict[int, T]:
    """Per team, the value computed for its current version: from the cache, or ``compute``d for
    the teams missing there (in one go).

    The key holds each team's DeliveryVersion, which changes in the same transaction as any of
    its deployments or incidents, so a new record or a resolved incident shows at once. A rolling
    window ends when it is computed; the key also holds the team's current slot of
    GEMBA_DELIVERY_CACHE_SECONDS, so the window's far edge is never more than that behind.
    0 seconds switches caching off.
    """
    if settings.GEMBA_DELIVERY_CACHE_SECONDS <= 0:
        return compute(team_ids)
    keys = _keys(kind, DeliveryVersion.objects.of(team_ids), parts)
    found = cache.get_many(list(keys.values()))
    values = {team_id: found[key] for team_id, key in keys.items() if key in found}
    missing = [team_id for team_id in team_ids if team_id not in values]
    if missing:
        computed = compute(missing)
        cache.set_many(
            {keys[team_id]: computed[team_id] for team_id in missing},
            2 * settings.GEMBA_DELIVERY_CACHE_SECONDS,
        )
        values.update(computed)
    return values


def team_delivery(
    team: Team, *, now: datetime | None = None, window_days: int = WINDOW_DAYS, months: int = MONTHS
) -> TeamDelivery:
    """The team's keys for the last ``window_days`` days and the last ``months`` months.

    Without ``now``: cached per team version (one query when cached, three when not); with
    ``now``: computed for that moment (two queries).
    """
    if now is None:
        delivery = _cached(
            "team_delivery",
            [team.pk],
            (window_days, months),
            lambda _ids: {
                team.pk: team_delivery(team, now=timezone.now(), window_days=window_days, months=months)
            },
        )[team.pk]
        return replace(delivery, team=team)
    periods = dora.month_periods(now, months, timezone.get_current_timezone())
    since = min(periods[0].start, now - timedelta(days=window_days))
    deployments = [
        record for _, record in Deployment.objects.counted().filter(team=team).since(since).records()
    ]
    incidents = [record for _, record in Incident.objects.filter(team=team).around(since).records()]
    keys = dora.compute_keys(deployments, incidents, dora.window(now, window_days))
    return TeamDelivery(
        team=team,
        window_days=window_days,
        window=keys,
        performance=dora.assess(keys),
        months=[dora.compute_keys(deployments, incidents, period) for period in periods],
        environments=list(settings.GEMBA_DELIVERY_ENVIRONMENTS),
    )


def window_keys(team: Team, *, now: datetime | None = None, window_days: int = WINDOW_DAYS) -> dora.Keys:
    """The team's keys for the last ``window_days`` days only (two queries)."""
    now = now or timezone.now()
    since = now - timedelta(days=window_days)
    deployments = [
        record for _, record in Deployment.objects.counted().filter(team=team).since(since).records()
    ]
    incidents = [record for _, record in Incident.objects.filter(team=team).around(since).records()]
    return dora.compute_keys(deployments, incidents, dora.window(now, window_days))


def teams_performance(
    teams: QuerySet[Team] | Iterable[Team], *, now: datetime | None = None, window_days: int = WINDOW_DAYS
) -> list[TeamPerformance]:
    """Each team's delivery score and level over the window, in the teams' order.

    Pass ``Team.objects.visible_to(user)`` for what a viewer may see. Teams without a deployment
    in the window have no score and no level. Without ``now``: cached on the teams' versions (one
    query when cached, three when not); with ``now``: computed for that moment (two queries).
    """
    teams = list(teams)
    team_ids = [team.pk for team in teams]
    if now is None:
        by_pk = {team.pk: team for team in teams}
        scores = _cached(
            "teams_performance",
            team_ids,
            (window_days,),
            lambda missing: {
                p.team_id: (p.deployments, p.score, p.level)
                for p in teams_performance(
                    [by_pk[pk] for pk in missing], now=timezone.now(), window_days=window_days
                )
            },
        )
        return [
            TeamPerformance(team.pk, team.slug, team.name, *scores.get(team.pk, (0, None, None)))
            for team in teams
        ]
    since = now - timedelta(days=window_days)
    deployments: dict[int, list[dora.DeploymentRecord]] = defaultdict(list)
    for team_id, record in Deployment.objects.counted().filter(team_id__in=team_ids).since(since).records():
        deployments[team_id].append(record)
    incidents: dict[int, list[dora.IncidentRecord]] = defaultdict(list)
    for team_id, record in Incident.objects.filter(team_id__in=team_ids).around(since).records():
        incidents[team_id].append(record)
    period = dora.window(now, window_days)
    result = []
    for team in teams:
        keys = dora.compute_keys(deployments[team.pk], incidents[team.pk], period)
        performance = dora.assess(keys)
        result.append(
            TeamPerformance(
                team_id=team.pk,
                slug=team.slug,
                name=team.name,
                deployments=keys.deployments,
                score=performance.score if performance else None,
                level=performance.level if performance else None,
            )
        )
    return result
