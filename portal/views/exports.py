"""CSV exports: streamed, UTF-8, a header row; only what the viewer may see, nothing below k."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.decorators.http import require_safe

from assessments import agreement
from assessments.content import localised
from assessments.models import DimensionScore, Round
from assessments.results import org_heatmap
from improvements.models import Action
from portal.views.params import int_param
from teams.access import team_for_user, teams_with_results


class _Echo:
    """A file-like object whose write returns the line, for a streamed csv.writer."""

    def write(self, value: str) -> str:
        return value


# A spreadsheet runs a cell starting with one of these as a formula: such text gets a leading '.
CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, int | float):
        return value
    text = str(value)
    if text.startswith(CSV_FORMULA_PREFIXES) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    """A formatted number such as "-2.00" (a negative change) stays as it is."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]) -> StreamingHttpResponse:
    """Stream rows as CSV without holding them in memory; text never reaches a spreadsheet as a formula."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _header(columns) -> list[str]:
    """Column names in the language of the request (they are lazy until now)."""
    return [str(column) for column in columns]


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


# Column names stay short and spreadsheet-friendly; each language has its own.
DIMENSION_HEADER = [
    pgettext_lazy("CSV column", "round"),
    pgettext_lazy("CSV column", "closed"),
    pgettext_lazy("CSV column", "team"),
    pgettext_lazy("CSV column", "group"),
    pgettext_lazy("CSV column", "dimension_key"),
    pgettext_lazy("CSV column", "dimension"),
    pgettext_lazy("CSV column", "index"),
    pgettext_lazy("CSV column", "mean"),
    pgettext_lazy("CSV column", "level"),
    pgettext_lazy("CSV column", "responses"),
    pgettext_lazy("CSV column", "agreement"),
    pgettext_lazy("CSV column", "agreement_band"),
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
        "dimension__translations",
        "index",
        "mean",
        "level",
        "responses",
        "agreement",
    )
    for (
        name,
        closed_at,
        closes_at,
        team,
        group,
        key,
        dimension,
        translations,
        index,
        mean,
        level,
        responses,
        agreement_value,
    ) in rows.iterator(chunk_size=2000):
        yield [
            name,
            (closed_at or closes_at).date().isoformat(),
            team,
            group or "",
            key,
            localised(dimension, translations, "name"),
            _fmt(index),
            _fmt(mean),
            level,
            responses,
            _fmt(agreement_value),
            "" if agreement_value is None else agreement.band(agreement_value).label,
        ]


def _scores(viewer):
    """Published dimension scores of the teams whose results the viewer may open (teams.access)."""
    return (
        DimensionScore.objects.published()
        .filter(team__in=teams_with_results(viewer))
        .order_by("round__closes_at", "round_id", "team__name", "dimension__order")
    )


@require_safe
@login_required
def round_csv(request: HttpRequest, round_id: int) -> StreamingHttpResponse:
    """A round: team × dimension, for the teams the viewer may open (as on /org/)."""
    round_ = get_object_or_404(Round.objects.scored(), pk=round_id)
    rows = _dimension_rows(_scores(request.user).filter(round=round_))
    return csv_response(f"gemba-{slugify(round_.name)}.csv", _header(DIMENSION_HEADER), rows)


@require_safe
@login_required
def all_rounds_csv(request: HttpRequest) -> StreamingHttpResponse:
    """Every closed round × team × dimension, for the teams the viewer may open."""
    return csv_response(
        "gemba-all-rounds.csv", _header(DIMENSION_HEADER), _dimension_rows(_scores(request.user))
    )


@require_safe
@login_required
def team_history_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    """One team's scores over every closed round; 404 for who may not see the team."""
    team = team_for_user(request.user, slug)
    rows = _dimension_rows(_scores(request.user).filter(team=team))
    return csv_response(f"gemba-{team.slug}-history.csv", _header(DIMENSION_HEADER), rows)


@require_safe
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
        pgettext("CSV column", "team"),
        pgettext("CSV column", "group"),
        pgettext("CSV column", "responses"),
        pgettext("CSV column", "members"),
        pgettext("CSV column", "participation_pct"),
        pgettext("CSV column", "overall_index"),
        pgettext("CSV column", "overall_delta"),
        pgettext("CSV column", "level"),
    ]
    header += [pgettext("CSV column", "%(key)s_index") % {"key": key} for key in keys]
    header += [pgettext("CSV column", "%(key)s_delta") % {"key": key} for key in keys]

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
                yield [*base, pgettext("CSV value", "hidden"), "", "", *[""] * (2 * len(keys))]
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


ACTIONS_HEADER = [
    gettext_lazy("id"),
    gettext_lazy("title"),
    gettext_lazy("stage"),
    gettext_lazy("in stage since"),
    gettext_lazy("owner"),
    gettext_lazy("due date"),
    gettext_lazy("overdue"),
    gettext_lazy("dimension key"),
    gettext_lazy("dimension"),
    gettext_lazy("source round"),
    gettext_lazy("created at"),
    gettext_lazy("current condition"),
    gettext_lazy("target condition"),
    gettext_lazy("root cause"),
    gettext_lazy("countermeasure"),
    gettext_lazy("outcome"),
    gettext_lazy("experiments"),
]


@require_safe
@login_required
def actions_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    """A team's improvement actions, for whoever may see its board."""
    team = team_for_user(request.user, slug)
    actions = (
        Action.objects.filter(team=team)
        .select_related("owner", "dimension", "source_round")
        .annotate(experiment_count=Count("experiments"))
        .order_by("pk")
    )

    def rows() -> Iterator[list]:
        for action in actions.iterator(chunk_size=500):
            yield [
                action.pk,
                action.title,
                action.get_stage_display(),
                timezone.localtime(action.stage_changed_at).isoformat(timespec="seconds"),
                action.owner.get_username() if action.owner else "",
                action.due_date.isoformat() if action.due_date else "",
                pgettext("CSV value", "yes") if action.is_overdue else pgettext("CSV value", "no"),
                action.dimension.key if action.dimension else "",
                action.dimension.local_name if action.dimension else "",
                action.source_round.name if action.source_round else "",
                timezone.localtime(action.created_at).isoformat(timespec="seconds"),
                action.current_condition,
                action.target_condition,
                action.root_cause,
                action.countermeasure,
                action.outcome,
                action.experiment_count,
            ]

    filename = f"gemba-actions-{team.slug}-{timezone.localdate().isoformat()}.csv"
    return csv_response(filename, _header(ACTIONS_HEADER), rows())
