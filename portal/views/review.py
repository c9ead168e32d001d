"""The team review: the page a team opens in its meeting after a round closes (SPEC §4).

Weakest dimensions first, with their answer distributions and comments where the gates allow;
last round's actions and whether their dimension moved; a focus vote kept as counts; actions
started on the page; the meeting's notes and decisions. It lives in ``portal`` because it
composes results (assessments), actions (improvements) and charts. Whoever may see the team
reads it; its members and leads write it (teams.access, improvements.access).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from assessments.models import Round
from assessments.results import DimensionRow, QuestionRow, team_results
from improvements import services
from improvements.access import can_work_on
from improvements.forms import ActionForm, ReviewForm
from improvements.models import Action, TeamReview
from portal.charts import survey as charts
from portal.views.params import int_param
from teams.access import role_in, team_for_user

# The weakest dimensions open on the page (the others fold away, and open in print).
OPEN_DIMENSIONS = 3
# ?order=: weakest index first (the default) or weakest agreement first.
ORDERS = ("index", "agreement")


@dataclass
class ReviewDimension:
    row: DimensionRow
    questions: list[QuestionRow]
    comments: list[str]
    chart: object | None
    votes: int


@dataclass
class ActionEffect:
    """An action the team started from the previous round, and how its dimension moved since."""

    action: Action
    before: float | None
    after: float | None

    @property
    def change(self) -> float | None:
        return None if self.before is None or self.after is None else self.after - self.before


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def team_review(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_for_user(request.user, slug)
    can_work = can_work_on(role_in(request.user, team))
    if request.method == "POST" and not can_work:
        raise PermissionDenied  # group managers and staff read the review; the team writes it
    results = team_results(team, int_param(request.GET, "round"))
    if results.round is None:
        if request.method == "POST":
            messages.error(request, _("There is no closed round to review yet, so nothing was saved."))
        status = 400 if request.method == "POST" else 200
        context = {"team": team, "results": results, "rounds_being_scored": _being_scored(team)}
        return render(request, "portal/team_review.html", context, status=status)

    review = TeamReview.objects.filter(team=team, round=results.round).first()
    dimension_choices = [(row.key, row.name) for row in results.dimensions]
    people = results.score.invited if results.score else 0
    review_form = ReviewForm(
        initial=_review_initial(review),
        dimensions=dimension_choices,
        people=max(people, results.score.responses),
    )
    focus = review.focus if review else []
    action_form = ActionForm(
        team=team, prefix="action", initial={"owner": request.user.pk} if can_work else {}
    )
    action_form.prefill(dimension=(focus or [None])[0], round_id=str(results.round.pk))
    status = 200
    here = reverse("team_review", args=[team.slug]) + f"?round={results.round.pk}"

    if request.method == "POST":
        if request.POST.get("form") == "action":
            action_form = ActionForm(request.POST, team=team, prefix="action")
            if action_form.is_valid():
                try:
                    action = services.action_create(team=team, by=request.user, **action_form.cleaned_data)
                except services.ColumnFull as refused:
                    messages.error(request, refused.message)
                    status = 409
                else:
                    messages.success(
                        request, _("“%(title)s” is on the board, in Plan.") % {"title": action.title}
                    )
                    return redirect(here + "#actions")
            else:
                messages.error(request, _("The action was not created: please correct the marked fields."))
                status = 400
        else:
            review_form = ReviewForm(
                request.POST, dimensions=dimension_choices, people=max(people, results.score.responses)
            )
            if review_form.is_valid():
                services.review_save(
                    team=team,
                    round=results.round,
                    by=request.user,
                    votes=review_form.votes(),
                    focus=review_form.cleaned_data["focus"],
                    notes=review_form.cleaned_data["notes"],
                    decisions=review_form.cleaned_data["decisions"],
                )
                messages.success(request, _("The review is saved."))
                return redirect(here + "#focus")
            messages.error(request, _("The review was not saved: please correct the marked fields."))
            status = 400

    votes = review.votes if review else {}
    # One query for the actions of both rounds: last round's (did they move?) and this one's.
    previous_id = results.previous.round_id if results.previous else None
    actions = list(
        Action.objects.filter(team=team, source_round_id__in=[results.round.pk, previous_id])
        .select_related("dimension", "owner")
        .order_by("dimension__order", "created_at", "pk")
    )
    order = request.GET.get("order") if request.GET.get("order") in ORDERS else "index"
    context = {
        "team": team,
        "results": results,
        "rounds_being_scored": _being_scored(team),
        "review": review,
        "order": order,
        "focus_names": [name for key, name in dimension_choices if key in focus],
        "dimensions": _dimensions(results, votes, order),
        "open_dimensions": OPEN_DIMENSIONS,
        "effects": _effects(
            results, [a for a in actions if previous_id and a.source_round_id == previous_id]
        ),
        "started": [a for a in actions if a.source_round_id == results.round.pk],
        "can_work": can_work,
        "review_form": review_form,
        "action_form": action_form,
    }
    return render(request, "portal/team_review.html", context, status=status)


def _being_scored(team) -> list[Round]:
    return list(Round.objects.being_scored(team))


def _review_initial(review: TeamReview | None) -> dict:
    if review is None:
        return {}
    return {
        "focus": review.focus,
        "notes": review.notes,
        "decisions": review.decisions,
        **{f"votes-{key}": count for key, count in review.votes.items()},
    }


def _by_agreement(row: DimensionRow) -> tuple:
    """Weakest agreement first; dimensions whose agreement is unknown last, weakest index first."""
    return (row.agreement is None, row.agreement if row.agreement is not None else 0.0, row.index, row.key)


def _dimensions(results, votes: dict[str, int], order: str = "index") -> list[ReviewDimension]:
    """Weakest first: the dimension with the lowest index (or agreement) leads the meeting."""
    questions: dict[str, list[QuestionRow]] = defaultdict(list)
    for question in results.questions:
        questions[question.dimension].append(question)
    comments: dict[str, list[str]] = defaultdict(list)
    for comment in results.comments:
        comments[comment.dimension.key].append(comment.text)
    labels = results.round.model.labels
    if order == "agreement":
        ordered = sorted(results.dimensions, key=_by_agreement)
    else:
        ordered = sorted(results.dimensions, key=lambda row: (row.index, row.key))
    return [
        ReviewDimension(
            row=row,
            questions=questions[row.name],
            comments=comments[row.key],
            chart=charts.likert(
                [
                    charts.LikertRow(q.text, q.counts, q.dont_know, q.not_applicable)
                    for q in questions[row.name]
                ],
                labels,
                title=_("Answers in %(dimension)s") % {"dimension": row.name},
                slug=f"likert-{row.key}",
            )
            if questions[row.name]
            else None,
            votes=votes.get(row.key, 0),
        )
        for row in ordered
    ]


def _effects(results, actions: list[Action]) -> list[ActionEffect]:
    """Actions started from the previous scored round, with their dimension's index then and now."""
    now = {row.key: row.index for row in results.dimensions}
    return [
        ActionEffect(
            action=action,
            before=results.previous_indexes.get(action.dimension.key) if action.dimension else None,
            after=now.get(action.dimension.key) if action.dimension else None,
        )
        for action in actions
    ]
