"""Writes of the improvements app: each one transaction, keyword-only arguments.

WIP limits hold under concurrency: every write that puts a card into a column first locks the
team's row (``SELECT … FOR NO KEY UPDATE``), so moves on one board happen one after the other
and each counts the column as the previous one left it. Locking the column's action rows
instead would not be enough: a card that a concurrent move is bringing in is not in that
column yet, so it would not be locked, and both moves would see one free place. The lock is
"no key" so rows that merely reference the team (new responses, deployments…) are not held up.
SQLite serialises writers by itself and ignores the lock.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import Dimension, Round
from improvements import flow
from improvements.models import LIMITED_STAGES, MAX_FOCUS, Action, Stage, TeamReview, WipLimit
from teams.models import Membership, Team


class MoveRefused(Exception):
    """A move (or a new card) that the board does not allow; ``message`` says why, for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ColumnFull(MoveRefused):
    """The column already holds as many actions as its WIP limit allows."""


def _lock_board(team: Team) -> None:
    """Serialise writes to this team's board until the transaction ends (see the module docstring)."""
    no_key = connection.features.has_select_for_no_key_update
    list(Team.objects.select_for_update(no_key=no_key).filter(pk=team.pk).values_list("pk", flat=True))


def _check_room(team: Team, stage: str) -> None:
    """Raise ColumnFull when the column has no free place under the team's WIP limit."""
    if stage not in LIMITED_STAGES:
        return
    limit = WipLimit.objects.for_team(team).get(stage)
    if limit is None:
        return
    if Action.objects.filter(team=team, stage=stage).count() >= limit:
        raise ColumnFull(
            _("%(stage)s is full: its WIP limit is %(limit)d. Finish or move an action out of it first.")
            % {"stage": Stage(stage).label, "limit": limit}
        )


def _check_owner(team: Team, owner) -> None:
    if owner is not None and not Membership.objects.filter(team=team, user=owner).exists():
        raise ValidationError({"owner": _("The owner must be a member of the team.")})


@transaction.atomic
def action_create(
    *,
    team: Team,
    title: str,
    by,
    owner=None,
    due_date: date | None = None,
    dimension: Dimension | None = None,
    source_round: Round | None = None,
    current_condition: str = "",
    target_condition: str = "",
    root_cause: str = "",
    countermeasure: str = "",
) -> Action:
    """Put a new action into the team's Plan column; its creation is its first stage change.

    Raises ColumnFull when Plan has a WIP limit and no free place, ValidationError when the owner
    is not in the team.
    """
    _check_owner(team, owner)
    _lock_board(team)
    _check_room(team, flow.PLAN)
    now = timezone.now()
    action = Action(
        team=team,
        title=title,
        owner=owner,
        due_date=due_date,
        dimension=dimension,
        source_round=source_round,
        current_condition=current_condition,
        target_condition=target_condition,
        root_cause=root_cause,
        countermeasure=countermeasure,
        stage=flow.PLAN,
        stage_changed_at=now,
        created_at=now,
        created_by=by,
    )
    _recorded_as(action, by=by, at=now)
    action.save()
    return action


def _recorded_as(action: Action, *, by, at) -> None:
    """The action's next history record (its stage history too) says who and when."""
    action._history_user = by if getattr(by, "is_authenticated", False) else None
    action._history_date = at


@transaction.atomic
def action_move(*, action: Action, stage: str, by) -> Action:
    """Move the action into another stage, within the team's WIP limits; its history records the
    change (who, when, from, to).

    Raises MoveRefused for an unknown stage or the stage it is already in, and ColumnFull when
    the target column is full; nothing changes then.
    """
    if stage not in flow.STAGES:
        raise MoveRefused(
            _("“%(stage)s” is not a stage. Choose one of: %(stages)s.")
            % {"stage": stage, "stages": ", ".join(str(choice.label) for choice in Stage)}
        )
    _lock_board(action.team)
    # Read the card again under the lock: another move may have taken it elsewhere meanwhile.
    current = Action.objects.select_for_update().get(pk=action.pk)
    if current.stage == stage:
        raise MoveRefused(
            _("“%(title)s” is already in %(stage)s.") % {"title": current.title, "stage": Stage(stage).label}
        )
    _check_room(action.team, stage)
    now = timezone.now()
    current.stage = stage
    current.stage_changed_at = now
    _recorded_as(current, by=by, at=now)
    current.save(update_fields=["stage", "stage_changed_at", "updated_at"])
    action.stage, action.stage_changed_at = current.stage, current.stage_changed_at
    return current


@transaction.atomic
def wip_limits_set(*, team: Team, limits: Mapping[str, int | None]) -> dict[str, int | None]:
    """Store the team's WIP limit for each limited stage given (None: no limit); return them all.

    A limit below the column's current count is allowed: the column shows as over its limit and
    takes no new card until enough have left.
    """
    for stage, limit in limits.items():
        if stage not in LIMITED_STAGES:
            raise ValidationError(_("“%(stage)s” takes no WIP limit.") % {"stage": stage})
        WipLimit.objects.update_or_create(team=team, stage=stage, defaults={"limit": limit})
    return WipLimit.objects.for_team(team)


@transaction.atomic
def review_save(
    *,
    team: Team,
    round: Round,
    by,
    votes: Mapping[str, int],
    focus: list[str],
    notes: str,
    decisions: str,
) -> TeamReview:
    """Record the team's review meeting of a round: focus votes (counts), focus dimensions, notes.

    ``votes`` and ``focus`` name dimension keys of the round's model; the form checks them, and
    at most MAX_FOCUS dimensions are the focus.
    """
    if len(focus) > MAX_FOCUS:
        raise ValidationError(_("Pick at most %(n)d focus dimensions.") % {"n": MAX_FOCUS})
    review, _created = TeamReview.objects.update_or_create(
        team=team,
        round=round,
        defaults={
            "votes": {key: count for key, count in votes.items() if count},
            "focus": list(focus),
            "notes": notes.strip(),
            "decisions": decisions.strip(),
            "updated_by": by,
        },
    )
    return review
