"""CSV exports: streamed, UTF-8, a header row; only what the viewer may see, nothing below k."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from assessments.models import DimensionScore, Round
from assessments.results import org_heatmap
from portal.views.params import int_param
from teams.access import team_for_user


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]) -> StreamingHttpResponse:
    """Stream rows as CSV without holding them in memory."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


DIMENSION_HEADER = [
    "round",
    "closed",
    "team",
    "group",
    "dimension_key",
    "dimension",
    "index",
    "mean",
    "level",
    "responses",
]


def _dimension_rows(scores) -> Iterator[list]:
    # Plain tuples, not model instances: an org's history is tens of thousands of rows.
    rows = scores.values_list(
        "round__name",
        "round__closed_at",
        "round__closes_at",
        "team__slug",
        "team__group__slug",
        "dimension_key",
        "dimension__name",
        "index",
        "mean",
        "level",
        "responses",
    )
    for (
        name,
        closed_at,
        closes_at,
        team,
        group,
        key,
        dimension,
        index,
        mean,
        level,
        responses,
    ) in rows.iterator(chunk_size=2000):
        yield [
            name,
            (closed_at or closes_at).date().isoformat(),
            team,
            group or "",
            key,
            dimension,
            _fmt(index),
            _fmt(mean),
            level,
            responses,
        ]


def _scores():
    # Rows exist only for team–rounds that reached k: nothing hidden can be exported.
    return DimensionScore.objects.order_by("round__closes_at", "round_id", "team__name", "dimension__order")


@require_GET
@login_required
def round_csv(request: HttpRequest, round_id: int) -> StreamingHttpResponse:
    """A round: team × dimension. Every signed-in user may see org aggregates (as on /org/)."""
    round_ = get_object_or_404(Round.objects.scored(), pk=round_id)
    return csv_response(
        f"gemba-{slugify(round_.name)}.csv", DIMENSION_HEADER, _dimension_rows(_scores().filter(round=round_))
    )


@require_GET
@login_required
def all_rounds_csv(request: HttpRequest) -> StreamingHttpResponse:
    """Every closed round × team × dimension."""
    return csv_response("gemba-all-rounds.csv", DIMENSION_HEADER, _dimension_rows(_scores()))


@require_GET
@login_required
def team_history_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    """One team's scores over every closed round; 404 for who may not see the team."""
    team = team_for_user(request.user, slug)
    return csv_response(
        f"gemba-{team.slug}-history.csv", DIMENSION_HEADER, _dimension_rows(_scores().filter(team=team))
    )


@require_GET
@login_required
def heatmap_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The org heatmap as shown: same group, round and sort; hidden teams say so, with no number."""
    heatmap = org_heatmap(
        viewer=request.user,
        group_slug=request.GET.get("group") or None,
        round_id=int_param(request.GET, "round"),
        sort=request.GET.get("sort") or None,
    )
    keys = [key for key, _ in heatmap.dimensions]
    header = [
        "team",
        "group",
        "responses",
        "members",
        "participation_pct",
        "overall_index",
        "overall_delta",
        "level",
    ]
    header += [f"{key}_index" for key in keys] + [f"{key}_delta" for key in keys]

    def rows() -> Iterator[list]:
        for row in heatmap.rows:
            base = [
                row.team.slug,
                row.team.group.slug if row.team.group else "",
                row.responses,
                row.invited,
                row.rate,
            ]
            if row.hidden:
                yield [*base, "hidden", "", "", *[""] * (2 * len(keys))]
                continue
            cells = [row.cells.get(key) for key in keys]
            yield [
                *base,
                _fmt(row.index),
                _fmt(row.delta),
                row.level,
                *[_fmt(c.index) if c else "" for c in cells],
                *[_fmt(c.delta) if c else "" for c in cells],
            ]

    name = slugify(heatmap.round.name) if heatmap.round else "none"
    return csv_response(f"gemba-heatmap-{name}.csv", header, rows())
