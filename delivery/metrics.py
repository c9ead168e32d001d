"""Reading the DORA keys of teams: a few queries feed the pure functions in delivery.dora."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from delivery import dora
from delivery.models import Deployment, Incident
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


def team_delivery(
    team: Team, *, now: datetime | None = None, window_days: int = WINDOW_DAYS, months: int = MONTHS
) -> TeamDelivery:
    """The team's keys for the last ``window_days`` days and the last ``months`` months (two queries)."""
    now = now or timezone.now()
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
    """Each team's delivery score and level over the window, in the teams' order (three queries).

    Pass ``Team.objects.visible_to(user)`` for what a viewer may see. Teams without a deployment
    in the window have no score and no level.
    """
    now = now or timezone.now()
    since = now - timedelta(days=window_days)
    teams = list(teams)
    team_ids = [team.pk for team in teams]
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
