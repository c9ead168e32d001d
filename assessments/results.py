"""Results as dashboards, exports and the API show them: the one read path for published numbers.

Nothing here touches a response or an answer; everything reads the aggregates stored at close
through their ``published()`` QuerySets (models/scores.py), which hold the k rules. Which teams a
person sees comes from teams.access, the visibility policy. Org and group aggregates (means,
medians, levels, trends) are drawn only from at least k teams that passed the gate.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments import agreement, scoring
from assessments.models import (
    DimensionComment,
    DimensionScore,
    QuestionDistribution,
    Round,
    TargetLevel,
    TeamScore,
)
from caching import key as cache_key
from caching import remembered
from teams.access import teams_with_results
from teams.models import Group, Team

# The dimension that holds Westrum's six aspects of culture in the default model.
WESTRUM_DIMENSION = "culture"
# The names of Westrum's culture types (scoring.WESTRUM_BANDS keys), as pages show them.
WESTRUM_NAMES = {
    "pathological": gettext_lazy("pathological"),
    "bureaucratic": gettext_lazy("bureaucratic"),
    "generative": gettext_lazy("generative"),
}
# Without a target, a dimension at level 2 or lower counts as weak.
WEAK_LEVEL = 2


@dataclass
class DimensionRow:
    key: str
    name: str
    mean: float
    index: float
    level: int
    level_name: str
    responses: int
    answers: int
    stdev: float
    agreement: float | None = None
    delta: float | None = None
    target: int | None = None
    weak: bool = False
    dimension_id: int | None = None

    @property
    def agreement_band(self) -> agreement.Band | None:
        """Weak, moderate, strong or very strong, with its meaning; None where rwg(j) is unknown."""
        return None if self.agreement is None else agreement.band(self.agreement)

    @property
    def gap(self) -> int | None:
        """Levels still to climb to the target (0 when reached), or None without a target."""
        return None if self.target is None else max(0, self.target - self.level)


@dataclass
class QuestionRow:
    key: str
    text: str
    label: str  # how results name it: its result label (higher is better), or its text
    dimension: str
    counts: list[int]
    dont_know: int
    not_applicable: int
    mean: float | None
    reverse: bool


@dataclass
class ParticipationRow:
    round: Round
    responses: int
    invited: int
    hidden: bool

    @property
    def rate(self) -> int:
        return scoring.participation_rate(self.responses, self.invited)


@dataclass
class TeamResults:
    team: Team
    rounds: list[Round]
    round: Round | None = None
    score: TeamScore | None = None
    previous: TeamScore | None = None
    level_names: dict[int, str] = field(default_factory=dict)
    dimensions: list[DimensionRow] = field(default_factory=list)
    previous_indexes: dict[str, float] = field(default_factory=dict)
    org_median: dict[str, float] = field(default_factory=dict)
    trend_labels: list[str] = field(default_factory=list)
    trend: dict[str, list[float | None]] = field(default_factory=dict)
    questions: list[QuestionRow] = field(default_factory=list)
    comments: list[DimensionComment] = field(default_factory=list)
    participation: list[ParticipationRow] = field(default_factory=list)
    targets: dict[str, int] = field(default_factory=dict)

    @property
    def hidden(self) -> bool:
        return self.score is None or not self.score.is_published

    @property
    def detailed(self) -> bool:
        """Whether per-question details may exist: k_detail responses (each question has its own gate)."""
        return not self.hidden and self.score.responses >= self.round.k_detail

    @property
    def overall_delta(self) -> float | None:
        if self.hidden or self.previous is None or self.previous.index is None or self.score.index is None:
            return None
        return scoring.delta(self.score.index, self.previous.index)

    @property
    def level_name(self) -> str:
        return self.level_names.get(self.score.level, "") if self.score and self.score.level else ""

    @property
    def westrum(self) -> tuple[float, str, str] | None:
        """The culture dimension's index, its Westrum band and the band's name in the page's
        language, when the model has that dimension."""
        row = next((d for d in self.dimensions if d.key == WESTRUM_DIMENSION), None)
        if row is None:
            return None
        band = scoring.westrum_band(row.index)
        return row.index, band, str(WESTRUM_NAMES[band])

    def strengths(self, n: int = 3) -> list[QuestionRow]:
        scored = [q for q in self.questions if q.mean is not None]
        return sorted(scored, key=lambda q: (-q.mean, q.key))[:n]

    def weaknesses(self, n: int = 3) -> list[QuestionRow]:
        scored = [q for q in self.questions if q.mean is not None]
        return sorted(scored, key=lambda q: (q.mean, q.key))[:n]


def team_results(team: Team, round_id: int | None = None) -> TeamResults:
    """Everything the team dashboard shows for one round (default: the latest closed one)."""
    history = list(TeamScore.objects.history(team).select_related("round__model"))
    results = TeamResults(team=team, rounds=[score.round for score in reversed(history)])
    results.participation = [
        ParticipationRow(round=s.round, responses=s.responses, invited=s.invited, hidden=not s.is_published)
        for s in reversed(history)
    ]
    if not history:
        return results
    chosen = next((s for s in history if s.round_id == round_id), history[-1])
    position = history.index(chosen)
    results.score, results.round = chosen, chosen.round
    results.level_names = chosen.round.model.level_names
    results.previous = next((s for s in reversed(history[:position]) if s.is_published), None)
    results.targets = dict(TargetLevel.objects.filter(team=team).values_list("dimension_key", "level"))

    # One query for the whole trend; the chosen and previous rounds come out of it too.
    by_round: dict[int, dict[str, DimensionScore]] = defaultdict(dict)
    names: dict[str, str] = {}
    for score in DimensionScore.objects.trend(team):
        by_round[score.round_id][score.dimension_key] = score
        names.setdefault(score.dimension_key, score.dimension.local_name)
    visible_history = [s for s in history if s.is_published]
    results.trend_labels = [s.round.name for s in visible_history]
    keys = [d.dimension_key for d in by_round.get(chosen.round_id, {}).values()] or list(names)
    results.trend = {
        names[key]: [
            by_round[s.round_id][key].index if key in by_round[s.round_id] else None for s in visible_history
        ]
        for key in keys
    }
    if not chosen.is_published:
        return results

    previous = by_round.get(results.previous.round_id, {}) if results.previous else {}
    results.previous_indexes = {key: score.index for key, score in previous.items()}
    changes = scoring.deltas(
        {key: score.index for key, score in by_round[chosen.round_id].items()}, results.previous_indexes
    )
    results.org_median = _org_median(chosen.round)
    rows = []
    for key, score in by_round[chosen.round_id].items():
        rows.append(
            DimensionRow(
                key=key,
                name=score.dimension.local_name,
                mean=score.mean,
                index=score.index,
                level=score.level,
                level_name=results.level_names.get(score.level, ""),
                responses=score.responses,
                answers=score.answers,
                stdev=score.stdev,
                agreement=score.agreement,
                delta=changes[key],
                target=results.targets.get(key),
                dimension_id=score.dimension_id,
            )
        )
    lowest = {row.key for row in sorted(rows, key=lambda r: r.index)[:2]}
    for row in rows:
        below_target = row.target is not None and row.level < row.target
        row.weak = below_target or row.level <= WEAK_LEVEL or (row.target is None and row.key in lowest)
    results.dimensions = rows

    if results.detailed:
        results.questions = [
            QuestionRow(
                key=d.question_key,
                text=d.question.local_text,
                label=d.question.label,
                dimension=d.question.dimension.local_name,
                counts=list(d.counts),
                dont_know=d.dont_know,
                not_applicable=d.not_applicable,
                mean=d.mean,
                reverse=d.question.reverse,
            )
            for d in QuestionDistribution.objects.published()
            .filter(round=chosen.round, team=team)
            .select_related("question__dimension")
            .order_by("question__dimension__order", "question__order")
        ]
        results.comments = list(
            DimensionComment.objects.published()
            .filter(round=chosen.round, team=team)
            .select_related("dimension")
        )
    return results


def _org_median(round_: Round) -> dict[str, float]:
    """Median index per dimension over the teams of the round that passed the gate, for the
    dimensions at least k teams have: a median of fewer teams is nearly a team's own number.

    Cached under the round's scores stamp (scored_at, renewed by every scores_store): every team
    dashboard of a round shows the same medians, read from one row per team and dimension.
    """

    def compute() -> dict[str, float]:
        teams: dict[str, list[scoring.TeamResult]] = defaultdict(list)
        for key, team_id, responses, index in (
            DimensionScore.objects.published()
            .filter(round=round_)
            .values_list("dimension_key", "team_id", "responses", "index")
        ):
            teams[key].append(scoring.TeamResult(str(team_id), responses, index))
        return {
            key: scoring.group_median(results, round_.k)
            for key, results in teams.items()
            if len(scoring.passing(results, round_.k)) >= round_.k
        }

    if round_.scored_at is None:
        return compute()
    return remembered("results:org-median", (round_.pk, round_.scored_at), compute)


# --- Org / group heatmap ---------------------------------------------------------------------

SORTABLE_FIXED = ("team", "group", "overall", "responses", "participation")


@dataclass
class HeatCell:
    index: float
    level: int
    delta: float | None


@dataclass
class HeatRow:
    team: Team
    responses: int
    invited: int
    hidden: bool
    index: float | None
    level: int | None
    delta: float | None
    cells: dict[str, HeatCell] = field(default_factory=dict)
    can_open: bool = False
    # TeamScore.HiddenReason value when hidden: too few responses, or too few on the scale.
    hidden_reason: str | None = None

    @property
    def rate(self) -> int:
        return scoring.participation_rate(self.responses, self.invited)

    @property
    def name(self) -> str:
        return self.team.name


@dataclass
class GroupRow:
    """One group of a large org's view: the means of its teams that have results, each team
    weighing the same; shown only when at least k of them have (SPEC §3.3: no aggregate of fewer
    teams than k, so no hidden team is recovered by subtraction)."""

    group: Group
    teams: int
    scored: int
    responses: int
    invited: int
    k: int
    index: float | None = None
    level: int | None = None
    delta: float | None = None
    cells: dict[str, HeatCell] = field(default_factory=dict)

    @property
    def hidden(self) -> bool:
        return self.scored < self.k

    @property
    def rate(self) -> int:
        return scoring.participation_rate(self.responses, self.invited)

    @property
    def name(self) -> str:
        return self.group.name


@dataclass
class Heatmap:
    """One round of the org or a group: the rows of the teams the viewer may open, and aggregates
    over every team of the view that passed the gate (shown only when they are at least k)."""

    round: Round | None
    rounds: list[Round]
    groups: list[Group]
    group: Group | None
    sort: str
    dimensions: list[tuple[str, str]] = field(default_factory=list)
    rows: list[HeatRow] = field(default_factory=list)
    level_names: dict[int, str] = field(default_factory=dict)
    # Every team of the view in this round, openable or not: only for the aggregates below.
    all_rows: list[HeatRow] = field(default_factory=list)
    totals: Totals = field(default_factory=lambda: Totals())
    # A large org opens on its groups (GEMBA_ORG_TEAMS_AT_ONCE): a row per group, each a way in,
    # read without a row per team; its teams with results as plain numbers (for the group dots).
    by_groups: bool = False
    group_rows: list[GroupRow] = field(default_factory=list)
    scored_teams: list[ScoredTeam] = field(default_factory=list)
    # What the group rows depend on (round, scores, which team is in which group): their cache key.
    groups_version: str = ""

    @property
    def visible_rows(self) -> list[HeatRow]:
        """The viewer's rows that have results."""
        return [row for row in self.rows if not row.hidden]

    @property
    def scored_rows(self) -> list[HeatRow]:
        """Every team of the view with results, whether or not the viewer may open it (only when
        the view shows teams: ``totals`` counts them either way)."""
        return [row for row in self.all_rows if not row.hidden]

    @property
    def has_aggregates(self) -> bool:
        """Org and group numbers need at least k teams with results (SPEC §3.3)."""
        return self.round is not None and self.totals.scored >= self.round.k

    @property
    def mean_index(self) -> float | None:
        return self.totals.mean_index if self.has_aggregates else None

    @property
    def level_counts(self) -> dict[int, int]:
        if not self.has_aggregates:
            return dict.fromkeys(sorted(self.level_names) or range(1, 6), 0)
        return self.totals.level_counts

    def dimension_mean(self, key: str) -> float | None:
        return self.totals.dimension_means.get(key) if self.has_aggregates else None


@dataclass
class Totals:
    """Over every team of a view in its round, whether or not the viewer may open it: how many
    there are, how many have results, and the aggregates of those (only of at least k teams)."""

    teams: int = 0
    scored: int = 0
    mean_index: float | None = None
    level_counts: dict[int, int] = field(default_factory=dict)
    dimension_means: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ScoredTeam:
    """A team with results in a view shown by groups, as plain numbers."""

    team_id: int
    group_id: int | None
    responses: int
    index: float
    westrum: float | None


def _totals(numbers: list[dict], round_: Round) -> Totals:
    """The view's totals from its teams' entries of the round table."""
    k, thresholds = round_.k, round_.model.level_thresholds
    scored = [entry for entry in numbers if not entry["row"]["hidden"]]
    teams = _team_results(scored)
    totals = Totals(teams=len(numbers), scored=len(scored))
    if len(scored) < k:
        return totals
    totals.mean_index = scoring.group_index(teams, k)
    totals.level_counts = scoring.level_distribution(teams, k, thresholds)
    values: dict[str, list[float]] = defaultdict(list)
    for entry in scored:
        for key, (index, _level, _delta) in entry["cells"].items():
            values[key].append(index)
    totals.dimension_means = {key: sum(v) / len(v) for key, v in values.items() if len(v) >= k}
    return totals


def _team_results(entries: list[dict]) -> list[scoring.TeamResult]:
    """Round-table entries as the scoring module's team results."""
    return [
        scoring.TeamResult(str(i), e["row"]["responses"], e["row"]["index"]) for i, e in enumerate(entries)
    ]


def org_round(rounds: list[Round], team_ids: set[int]) -> Round | None:
    """The round the org (or a group: ``team_ids``) shows by default: the newest scored round that
    covers more than half of its active teams. A round a lead made for one team never becomes the
    org's view. When no round covers that many, the one covering the most (newest first).

    ``rounds`` are newest first and carry ``covered``: how many of ``team_ids`` each includes.
    """
    if not rounds:
        return None
    for candidate in rounds:
        if 2 * candidate.covered > len(team_ids):
            return candidate
    return max(rounds, key=lambda r: r.covered)  # max keeps the first (newest) of equals


def scores_version(rounds: list[Round]) -> str:
    """A key that changes whenever any stored score changes.

    Scores are written only by scores_store, which stamps its round's ``scored_at`` (when a round
    closes and when its scores are rebuilt); a deleted round leaves the list. So a cache keyed on
    this is dropped the moment a round closes and never serves an old number.
    """
    stamps = [(r.pk, r.scored_at.isoformat() if r.scored_at else "") for r in rounds]
    return hashlib.sha256(repr(sorted(stamps)).encode()).hexdigest()


def org_heatmap(
    *,
    viewer,
    group_slug: str | None,
    round_id: int | None,
    sort: str | None,
    teams_at_once: int | None = None,
) -> Heatmap:
    """Teams × dimensions of one closed round, filtered by group, sorted by a column.

    Rows are the teams the viewer may open (teams.access); the aggregates cover every team of the
    view. The numbers come from the cache keyed on scores_version(); teams, groups and what the
    viewer may open are read fresh on every call. An org of more than ``teams_at_once`` teams
    opens on its groups instead (``by_groups``): a row per group, aggregates of at least k teams.
    """
    groups = sorted(Group.objects.all(), key=lambda g: natural(g.name))
    group = next((g for g in groups if g.slug == group_slug), None)
    view_teams = Team.objects.active() if group is None else Team.objects.active().filter(group=group)
    view_team_ids = set(view_teams.values_list("pk", flat=True))
    # How many of the view's teams each round covers, counted in a subquery per round: a join
    # grouped by every column of the round and its model took 150 ms over 4,000 teams.
    covered = (
        Round.teams.through.objects.filter(round_id=OuterRef("pk"), team__in=view_teams.values("pk"))
        .order_by()
        .values("round_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    rounds = list(
        Round.objects.scored()
        .select_related("model")
        .annotate(covered=Coalesce(Subquery(covered, output_field=IntegerField()), 0))
        .order_by("-closes_at", "-pk")
    )
    chosen = next((r for r in rounds if r.pk == round_id), None) or org_round(rounds, view_team_ids)
    heatmap = Heatmap(round=chosen, rounds=rounds, groups=groups, group=group, sort=sort or "team")
    if chosen is None:
        return heatmap
    heatmap.level_names = chosen.model.level_names
    heatmap.dimensions = [
        (dimension.key, dimension.local_name)
        for dimension in chosen.model.dimensions.order_by("order", "key").only("key", "name", "translations")
    ]
    version = scores_version(rounds)
    table = round_table(chosen, version)
    view = Team.objects.all() if group is None else Team.objects.filter(group=group)
    team_groups = {pk: group_id for pk, group_id in view.values_list("pk", "group_id") if pk in table}
    heatmap.by_groups = group is None and teams_at_once is not None and len(team_groups) > teams_at_once
    keys = {key for key, _ in heatmap.dimensions}
    if heatmap.by_groups:
        # Group names are part of it: the rows drawn from these numbers show them (portal).
        named = [(g.pk, g.slug, g.name) for g in groups]
        depends_on = (chosen.pk, version, sorted(team_groups.items()), named)
        heatmap.groups_version = cache_key("results:org-groups", depends_on)
        rows, heatmap.totals, heatmap.scored_teams = remembered(
            "results:org-groups",
            depends_on,
            lambda: _by_groups(chosen, table, team_groups, heatmap.dimensions),
        )
        by_pk = {g.pk: g for g in groups}
        heatmap.group_rows = [
            GroupRow(group=by_pk[group_id], **numbers) for group_id, numbers in rows if group_id in by_pk
        ]
        heatmap.sort = _sort(heatmap.group_rows, sort, keys)
        return heatmap

    heatmap.totals = _totals([table[pk] for pk in team_groups], chosen)
    # The few fields a row shows, each team's group from the list above: model instances with
    # every column and a joined group cost 100 ms over 4,000 teams.
    groups_by_pk = {g.pk: g for g in groups}
    openable = set(teams_with_results(viewer).values_list("pk", flat=True))
    for team in view.only("pk", "slug", "name", "group_id", "active"):
        if team.pk not in team_groups:
            continue
        team.group = groups_by_pk.get(team.group_id)
        numbers = table[team.pk]
        row = HeatRow(team=team, can_open=team.pk in openable, **numbers["row"])
        row.cells = {key: HeatCell(*cell) for key, cell in numbers["cells"].items()}
        heatmap.all_rows.append(row)
        if row.can_open:
            heatmap.rows.append(row)
    heatmap.sort = _sort(heatmap.rows, sort, keys)
    return heatmap


def _by_groups(
    chosen: Round,
    table: dict[int, dict],
    team_groups: dict[int, int | None],
    dimensions: list[tuple[str, str]],
) -> tuple[list[tuple[int, dict]], Totals, list[ScoredTeam]]:
    """A row per group (its id and GroupRow's numbers): the means of its teams with results, each
    team weighing the same, when at least k of them have; the view's totals; its scored teams.
    Plain data, from the round table alone: it keeps in the cache."""
    k, thresholds = chosen.k, chosen.model.level_thresholds
    by_group: dict[int, list[dict]] = defaultdict(list)
    for team_id, group_id in team_groups.items():
        if group_id is not None:
            by_group[group_id].append(table[team_id])

    def mean(values: list[float]) -> float | None:
        return sum(values) / len(values) if values else None

    rows = []
    for group_id, entries in by_group.items():
        scored = [entry for entry in entries if not entry["row"]["hidden"]]
        numbers = {
            "teams": len(entries),
            "scored": len(scored),
            "responses": sum(entry["row"]["responses"] for entry in entries),
            "invited": sum(entry["row"]["invited"] for entry in entries),
            "k": k,
        }
        if len(scored) >= k:
            index = scoring.group_index(_team_results(scored), k)
            numbers |= {
                "index": index,
                "level": scoring.level(index, thresholds),
                "delta": mean([e["row"]["delta"] for e in scored if e["row"]["delta"] is not None]),
                "cells": {},
            }
            for key, _name in dimensions:
                cells = [e["cells"][key] for e in scored if key in e["cells"]]
                if len(cells) >= k:
                    cell_index = mean([cell[0] for cell in cells])
                    changes = [cell[2] for cell in cells if cell[2] is not None]
                    numbers["cells"][key] = HeatCell(
                        cell_index, scoring.level(cell_index, thresholds), mean(changes)
                    )
        rows.append((group_id, numbers))
    scored_teams = [
        ScoredTeam(
            team_id=team_id,
            group_id=group_id,
            responses=table[team_id]["row"]["responses"],
            index=table[team_id]["row"]["index"],
            westrum=table[team_id]["cells"].get(WESTRUM_DIMENSION, (None,))[0],
        )
        for team_id, group_id in team_groups.items()
        if not table[team_id]["row"]["hidden"]
    ]
    return rows, _totals([table[pk] for pk in team_groups], chosen), scored_teams


def round_table(chosen: Round, version: str) -> dict[int, dict]:
    """The round's numbers per team (``_round_table``), remembered under the scores version."""
    return remembered("results:round-table", (chosen.pk, version), lambda: _round_table(chosen))


def _round_table(chosen: Round) -> dict[int, dict]:
    """Per team of the round: its stored numbers and changes against its previous round, as plain
    data (no model instances, so it keeps in any cache)."""
    scores = list(TeamScore.objects.filter(round=chosen).select_related("round"))
    published = {score.team_id for score in scores if score.is_published}
    team_ids = [score.team_id for score in scores]
    cells: dict[int, dict[str, tuple[float, int]]] = defaultdict(dict)
    for key, team_id, index, level in (
        DimensionScore.objects.published()
        .filter(round=chosen, team_id__in=published)
        .values_list("dimension_key", "team_id", "index", "level")
    ):
        cells[team_id][key] = (index, level)

    # Each team's last round before the chosen one, with its score: one query, oldest first.
    previous_round: dict[int, int] = {}
    previous_scores: dict[int, tuple[float | None, bool]] = {}
    for team_id, round_id, index, hidden in (
        TeamScore.objects.filter(team_id__in=team_ids, round__closes_at__lt=chosen.closes_at)
        .order_by("round__closes_at", "round_id")
        .values_list("team_id", "round_id", "index", "hidden")
    ):
        previous_round[team_id] = round_id
        previous_scores[team_id] = (index, hidden or index is None)
    previous_cells: dict[int, dict[str, float]] = defaultdict(dict)
    for key, team_id, round_id, index in (
        DimensionScore.objects.published()
        .filter(team_id__in=team_ids, round_id__in=set(previous_round.values()))
        .values_list("dimension_key", "team_id", "round_id", "index")
    ):
        if previous_round.get(team_id) == round_id:
            previous_cells[team_id][key] = index

    table = {}
    for score in scores:
        team_id = score.team_id
        hidden = team_id not in published
        before_index, before_hidden = previous_scores.get(team_id, (None, True))
        delta = None if hidden or before_hidden else scoring.delta(score.index, before_index)
        team_cells = cells.get(team_id, {})
        changes = scoring.deltas(
            {key: index for key, (index, _level) in team_cells.items()}, previous_cells[team_id]
        )
        reason = score.hidden_reason
        table[team_id] = {
            "row": {
                "responses": score.responses,
                "invited": score.invited,
                "hidden": hidden,
                "index": None if hidden else score.index,
                "level": None if hidden else score.level,
                "delta": delta,
                "hidden_reason": reason.value if reason else None,
            },
            "cells": {
                key: (cell_index, cell_level, changes[key])
                for key, (cell_index, cell_level) in team_cells.items()
            },
        }
    return table


def natural(name: str) -> tuple:
    """A name's sort key as people read it: "Accounts 2" before "Accounts 10", case aside."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.split(r"(\d+)", name.casefold())
        if part
    )


def _sort(rows: list[HeatRow] | list[GroupRow], sort: str | None, dimension_keys: set[str]) -> str:
    """Sort rows (of teams or of groups) in place by a column; hidden ones always last. Returns the
    sort actually used."""
    sort = sort or "team"
    descending = sort.startswith("-")
    column = sort.lstrip("-")
    if column not in SORTABLE_FIXED and column not in dimension_keys:
        column, descending, sort = "team", False, "team"

    def value(row: HeatRow | GroupRow):
        if column == "team":
            return natural(row.name)
        if column == "group":
            group = row.group if isinstance(row, GroupRow) else row.team.group
            return (natural(group.name) if group else (), natural(row.name))
        if column == "responses":
            return row.responses
        if column == "participation":
            return row.rate
        if column == "overall":
            return row.index
        cell = row.cells.get(column)
        return cell.index if cell else None

    known = [r for r in rows if value(r) is not None]
    unknown = [r for r in rows if value(r) is None]
    known.sort(key=lambda r: (value(r), natural(r.name)), reverse=descending)
    unknown.sort(key=lambda r: natural(r.name))
    rows[:] = known + unknown
    return sort


def warm(round_: Round) -> None:
    """Compute and cache a freshly scored round's org aggregates (the round's table on /org/, the
    org medians of its team dashboards, the org trend), so that no first viewer pays for them.
    A worker runs this after each close; it serves the web processes when they share the cache
    (CACHE_URL, e.g. Redis), and is harmless otherwise."""
    round_ = Round.objects.select_related("model").get(pk=round_.pk)
    if round_.scored_at is None:
        return
    rounds = list(Round.objects.scored().select_related("model").order_by("-closes_at", "-pk"))
    version = scores_version(rounds)
    _org_median(round_)
    round_table(round_, version)
    org_trend({}, version=version)


def org_trend(
    names: dict[str, str], *, version: str | None = None
) -> tuple[list[str], dict[str, list[float | None]], list[int]]:
    """Org-wide index per closed round, overall and per dimension (named by ``names``, key → name),
    from the teams that reached k; and how many teams that was in each round.

    With ``version`` (scores_version() of the scored rounds) the aggregates come from the cache.
    """

    def aggregates() -> tuple[list[dict], dict[str, dict[int, float]]]:
        per_key: dict[str, dict[int, float]] = defaultdict(dict)
        for row in DimensionScore.objects.org_trend():
            if row["teams"] >= row["round__k"]:
                per_key[row["dimension_key"]][row["round_id"]] = row["mean_index"]
        return TeamScore.objects.org_trend(), dict(per_key)

    overall, per_key = remembered("results:org-trend", version, aggregates) if version else aggregates()
    # A round's point is an aggregate only with at least k teams in it.
    overall = [row for row in overall if row["teams"] >= row["round__k"]]
    labels = [row["round__name"] for row in overall]
    order = [row["round_id"] for row in overall]
    series: dict[str, list[float | None]] = {_("Overall"): [row["mean_index"] for row in overall]}
    for key, name in names.items():
        if key in per_key:
            series[name] = [per_key[key].get(round_id) for round_id in order]
    return labels, series, [row["teams"] for row in overall]
