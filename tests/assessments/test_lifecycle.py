"""Issue 12, item 6: whole round lifecycles, generated — answer, change, draft, close, rebuild.

A hypothesis state machine builds a small organisation per example (1–3 teams of 3–7 members and
a lead, a group manager, an outsider, an admin), opens a round over one team or several with k
and k_detail drawn, lets random people save drafts, submit, change their answers, post a draft
after submitting, comment; closes the round early (service or page), or lets its date pass, and
rebuilds its scores. It keeps the truth — each person's last SUBMITTED answers and comments — and
after every step checks SPEC §3.3 and §3.4 against it (see the invariants below).

Each example runs in a savepoint rolled back at its end, with the cache cleared, so examples start
from nothing. Bounded for `make test`; longer runs:

    GEMBA_LIFECYCLE_EXAMPLES=300 .venv/bin/pytest -n 2 -s tests/assessments/test_lifecycle.py

GEMBA_LIFECYCLE_STEPS sets the steps per example, GEMBA_LIFECYCLE_RANDOM=1 explores at random
instead of the fixed (derandomized) sequence, and GEMBA_LIFECYCLE_ONLY=name,name checks only the
invariants whose names contain one of these words (to see each defect's own minimal example).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, Phase, note
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from assessments.models import (
    Answer,
    Comment,
    Dimension,
    DimensionComment,
    DimensionScore,
    Participation,
    Question,
    QuestionDistribution,
    Response,
    Round,
    TeamScore,
)
from assessments.services import (
    RoundNotOpen,
    respondent_key,
    response_save,
    round_close,
    rounds_close_due,
    scores_store,
)
from teams.models import Membership, Team
from tests.assessments.lifecycle_truth import QuestionInfo, Submission, TeamTruth, team_truth, weighted_mean
from tests.factories import GroupFactory, GroupLeadFactory, MembershipFactory, UserFactory, make_model

EXAMPLES = int(os.environ.get("GEMBA_LIFECYCLE_EXAMPLES", "25"))
STEPS = int(os.environ.get("GEMBA_LIFECYCLE_STEPS", "12"))
RANDOM = os.environ.get("GEMBA_LIFECYCLE_RANDOM", "") not in ("", "0")
ONLY = [word for word in os.environ.get("GEMBA_LIFECYCLE_ONLY", "").split(",") if word]

POINTS = 7
MAX_DIMENSIONS, QUESTIONS_PER_DIMENSION = 3, 2
MAX_QUESTIONS = MAX_DIMENSIONS * QUESTIONS_PER_DIMENSION
MAX_ROUNDS = 2
# Full page sweeps are dear; between closes only the lead's live counts are read, every few steps.
LIGHT_PAGES_EVERY = 3
BACKEND = "accounts.backends.PasswordBackend"

TOKEN = st.sampled_from([str(point) for point in range(1, POINTS + 1)] + ["dk", "na"])
UNIFORM = st.sampled_from(["dk", "na", "1", "4", "7"])
# A full set: mostly mixed, sometimes one token for everything ("all don't know", "all on the scale").
ANSWERS = st.one_of(
    st.lists(TOKEN, min_size=MAX_QUESTIONS, max_size=MAX_QUESTIONS),
    UNIFORM.map(lambda token: [token] * MAX_QUESTIONS),
)
DRAFT = st.lists(st.none() | TOKEN, min_size=MAX_QUESTIONS, max_size=MAX_QUESTIONS)
COMMENTS = st.lists(
    st.sampled_from(["", "", "Friday deploys hurt", "  We pair on every change  ", "=1+1"]),
    min_size=MAX_DIMENSIONS,
    max_size=MAX_DIMENSIONS,
)
PICK = st.integers(min_value=0, max_value=15)
# Hypothesis favours the first: the persona with the fewest pages goes first, the member's many last.
PERSONAS = ("outsider", "staff", "lead", "manager", "member")


def _enabled(name: str) -> bool:
    return not ONLY or any(word in name for word in ONLY)


@dataclass
class Stats:
    lifecycles: int = 0
    steps: int = 0
    closes: int = 0
    published_dimensions: int = 0  # dimension scores checked against the answers, agreement included
    page_requests: int = 0
    page_seconds: float = 0.0


STATS = Stats()


@dataclass
class World:
    questions: list[QuestionInfo]
    dimensions: list[Dimension]
    teams: list[Team]
    respondents: dict[int, list[AbstractBaseUser]]  # team id → its members and its lead
    members: dict[int, int]  # team id → memberships (leads included)
    personas: dict[str, AbstractBaseUser]
    labels: dict[int, str]  # user id → a readable name for notes
    group_slug: str
    other_team: Team


@dataclass
class RoundState:
    round: Round
    teams: list[Team]
    # (user id, team id) → that person's last submitted set; who submitted took part.
    truth: dict[tuple[int, int], Submission] = field(default_factory=dict)
    closed: bool = False
    ids_before_close: set = field(default_factory=set)

    def team_truth(self, world: World, team_id: int) -> TeamTruth:
        submissions = [s for (_user, team), s in self.truth.items() if team == team_id]
        return team_truth(submissions, world.questions, POINTS)

    def participations(self, team_id: int) -> int:
        return sum(1 for (_user, team) in self.truth if team == team_id)


class Lifecycle(RuleBasedStateMachine):
    """One organisation, up to two rounds, random people doing what people do."""

    several_teams = False

    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        cache.clear()
        self.world: World | None = None
        self.rounds: list[RoundState] = []
        self.clients: dict[str, Client] = {}
        self.pages_due: str | None = None
        self.medians_seen: list = []
        self.steps = 0
        STATS.lifecycles += 1

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)
        cache.clear()

    # --- the world ---------------------------------------------------------------------------

    @initialize(
        sizes=st.lists(st.integers(min_value=3, max_value=7), min_size=1, max_size=3),
        dimensions=st.integers(min_value=2, max_value=MAX_DIMENSIONS),
        k=st.integers(min_value=3, max_value=5),
        k_extra=st.integers(min_value=0, max_value=2),
        covered=st.lists(st.booleans(), min_size=2, max_size=2),
        shared_member=st.booleans(),
        early=st.integers(min_value=0, max_value=7),
        early_sets=st.lists(ANSWERS, min_size=7, max_size=7),
    )
    def build_world(self, sizes, dimensions, k, k_extra, covered, shared_member, early, early_sets):
        if self.several_teams and len(sizes) < 2:
            sizes = [*sizes, 3]
        model = make_model(points=POINTS, dimensions=dimensions, questions=QUESTIONS_PER_DIMENSION)
        group = GroupFactory()
        teams, respondents, labels = [], {}, {}
        for t, size in enumerate(sizes):
            team = Team.objects.create(group=group, name=f"Lifecycle team {t}", slug=f"{group.slug}-t{t}")
            people = []
            for m in range(size):
                user = MembershipFactory(team=team, user=UserFactory()).user
                labels[user.pk] = f"t{t}.m{m}"
                people.append(user)
            lead = MembershipFactory(team=team, user=UserFactory(), role=Membership.Role.LEAD).user
            labels[lead.pk] = f"t{t}.lead"
            people.append(lead)
            teams.append(team)
            respondents[team.pk] = people
        if shared_member and len(teams) > 1:
            # Someone in two teams answers for each of them separately.
            shared = respondents[teams[0].pk][0]
            MembershipFactory(team=teams[1], user=shared)
            respondents[teams[1].pk].insert(0, shared)
            labels[shared.pk] = "t0.m0(+t1)"
        other_group = GroupFactory()
        other_team = Team.objects.create(group=other_group, name="Elsewhere", slug=f"{other_group.slug}-x")
        outsider = MembershipFactory(team=other_team, user=UserFactory()).user
        manager = GroupLeadFactory(group=group, user=UserFactory()).user
        staff = UserFactory(is_staff=True, is_superuser=True)
        questions = [
            QuestionInfo(pk=q.pk, key=q.key, dimension_id=q.dimension_id, reverse=q.reverse)
            for q in Question.objects.filter(dimension__model=model).order_by("dimension__order", "order")
        ]
        self.world = World(
            questions=questions,
            dimensions=list(model.dimensions.order_by("order")),
            teams=teams,
            respondents=respondents,
            members=Membership.objects.count_by_team([t.pk for t in teams]),
            personas={
                "member": respondents[teams[0].pk][0],
                "lead": respondents[teams[0].pk][-1],
                "manager": manager,
                "outsider": outsider,
                "staff": staff,
            },
            labels=labels,
            group_slug=group.slug,
            other_team=other_team,
        )
        self.model = model
        self._open_round(k=k, k_detail=min(k + k_extra, 5), covered=covered)
        # The first people of the first team answer before anything else happens: without them,
        # the rule order Hypothesis favours closes most rounds before anyone has submitted, and the
        # checks of published scores would seldom run.
        first_team = self.current.teams[0]
        for user, tokens in zip(self.world.respondents[first_team.pk][:early], early_sets, strict=False):
            note(f"{self._who(user, first_team)} submits {tokens[: len(self.world.questions)]} (early)")
            self._save(user, first_team, tokens, [], submit=True)

    def _open_round(self, *, k: int, k_detail: int, covered: list[bool]) -> None:
        teams = self.world.teams
        if self.several_teams:
            chosen = [teams[0]] + [team for team, on in zip(teams[1:], covered, strict=False) if on]
            if len(chosen) < 2:
                chosen.append(teams[1])
        else:
            chosen = [teams[0]]
        now = timezone.now()
        number = len(self.rounds) + 1
        round_ = Round.objects.create(
            name=f"Lifecycle {number}",
            model=self.model,
            opens_at=now - timedelta(days=1),
            # Later rounds end later, so "previous round" is well defined.
            closes_at=now + timedelta(days=7 * number),
            k=k,
            k_detail=k_detail,
        )
        round_.teams.set(chosen)
        self.rounds.append(RoundState(round=round_, teams=chosen))
        note(f"round {number} (id {round_.pk}) over {[t.slug for t in chosen]}, k={k}, k_detail={k_detail}")

    @property
    def current(self) -> RoundState:
        return self.rounds[-1]

    def _is_open(self) -> bool:
        return bool(self.rounds) and not self.current.closed

    def _is_closed(self) -> bool:
        return bool(self.rounds) and self.current.closed

    def _respondent(self, team_pick: int, who: int) -> tuple[AbstractBaseUser, Team]:
        teams = self.current.teams
        team = teams[team_pick % len(teams)]
        people = self.world.respondents[team.pk]
        return people[who % len(people)], team

    def _submitted(self, pick: int) -> tuple[AbstractBaseUser, Team]:
        user_id, team_id = sorted(self.current.truth)[pick % len(self.current.truth)]
        team = next(t for t in self.current.teams if t.pk == team_id)
        user = next(u for u in self.world.respondents[team_id] if u.pk == user_id)
        return user, team

    def _who(self, user, team) -> str:
        return f"{self.world.labels[user.pk]}@{team.slug}"

    def _step(self) -> None:
        self.steps += 1
        STATS.steps += 1

    # --- answering ---------------------------------------------------------------------------

    def _answers(self, tokens) -> dict[int, str | None]:
        return {q.pk: token for q, token in zip(self.world.questions, tokens, strict=False)}

    def _comments(self, texts) -> dict[int, str]:
        return {d.pk: text for d, text in zip(self.world.dimensions, texts, strict=False)}

    def _save(self, user, team, tokens, texts, *, submit: bool) -> None:
        answers, comments = self._answers(tokens), self._comments(texts)
        with transaction.atomic():
            response_save(
                round=self.current.round,
                team=team,
                user=user,
                answers=answers,
                comments=comments,
                submit=submit,
            )
        if submit:
            self._record(user, team, answers, comments)

    def _record(self, user, team, answers, comments) -> None:
        self.current.truth[(user.pk, team.pk)] = Submission(
            answers=dict(answers),
            comments={pk: text.strip() for pk, text in comments.items() if text and text.strip()},
        )

    @precondition(_is_open)
    @rule(team=PICK, who=PICK, tokens=ANSWERS, texts=COMMENTS)
    def submit(self, team, who, tokens, texts):
        self._step()
        user, team_ = self._respondent(team, who)
        note(f"{self._who(user, team_)} submits {tokens[: len(self.world.questions)]} {texts}")
        self._save(user, team_, tokens, texts, submit=True)

    @precondition(_is_open)
    @rule(team=PICK, sets=st.lists(ANSWERS, min_size=1, max_size=5))
    def several_submit(self, team, sets):
        """The first people of a team submit one set each (reaches k in few steps)."""
        self._step()
        team_ = self.current.teams[team % len(self.current.teams)]
        for user, tokens in zip(self.world.respondents[team_.pk], sets, strict=False):
            note(f"{self._who(user, team_)} submits {tokens[: len(self.world.questions)]}")
            self._save(user, team_, tokens, [], submit=True)

    @precondition(_is_open)
    @rule(team=PICK, who=PICK, tokens=DRAFT, texts=COMMENTS)
    def save_draft(self, team, who, tokens, texts):
        self._step()
        user, team_ = self._respondent(team, who)
        note(f"{self._who(user, team_)} saves a draft {tokens[: len(self.world.questions)]} {texts}")
        self._save(user, team_, tokens, texts, submit=False)

    def _someone_submitted(self) -> bool:
        return self._is_open() and bool(self.current.truth)

    @precondition(_someone_submitted)
    @rule(pick=PICK, tokens=DRAFT, texts=COMMENTS)
    def draft_after_submitting(self, pick, tokens, texts):
        """An old tab, a second window: a draft posted after the submit must not undo it."""
        self._step()
        user, team = self._submitted(pick)
        note(f"{self._who(user, team)} posts a draft after submitting: {tokens[: len(self.world.questions)]}")
        self._save(user, team, tokens, texts, submit=False)

    @precondition(_someone_submitted)
    @rule(pick=PICK, tokens=ANSWERS, texts=COMMENTS)
    def change_answers(self, pick, tokens, texts):
        self._step()
        user, team = self._submitted(pick)
        note(f"{self._who(user, team)} changes the answers to {tokens[: len(self.world.questions)]} {texts}")
        self._save(user, team, tokens, texts, submit=True)

    @precondition(_is_open)
    @rule(team=PICK, who=PICK, tokens=DRAFT, texts=COMMENTS, submit=st.booleans())
    def answer_on_the_page(self, team, who, tokens, texts, submit):
        """The survey form itself: a submit with gaps is refused (400) and changes nothing."""
        self._step()
        user, team_ = self._respondent(team, who)
        answers, comments = self._answers(tokens), self._comments(texts)
        data = {f"q{pk}": token or "" for pk, token in answers.items()}
        data.update({f"c{pk}": text for pk, text in comments.items()})
        data["action"] = "submit" if submit else "draft"
        url = f"/surveys/{self.current.round.pk}/{team_.slug}/"
        note(
            f"{self._who(user, team_)} POSTs {data['action']} {tokens[: len(self.world.questions)]} to {url}"
        )
        response = self._request(
            self._persona_client(user), "post", url, data=data, who=self._who(user, team_)
        )
        complete = all(token is not None for token in answers.values())
        if submit and not complete:
            assert response.status_code == 400, (url, response.status_code)
            return
        assert response.status_code == 302, (url, response.status_code)
        if submit:
            self._record(user, team_, answers, comments)

    # --- closing -----------------------------------------------------------------------------

    def _before_close(self) -> None:
        rs = self.current
        rs.ids_before_close = set(Response.objects.filter(round=rs.round).values_list("pk", flat=True)) | set(
            Answer.objects.filter(response__round=rs.round).values_list("pk", flat=True)
        )

    def _after_close(self) -> None:
        rs = self.current
        rs.round.refresh_from_db()
        assert rs.round.scored_at is not None, "the round was closed but its scores were not stored"
        rs.closed = True
        self.pages_due = "close"
        STATS.closes += 1

    @precondition(_is_open)
    @rule(by=PICK)
    def lead_closes_early(self, by):
        self._step()
        lead = self.world.respondents[self.current.teams[by % len(self.current.teams)].pk][-1]
        note(f"{self.world.labels[lead.pk]} closes round {self.current.round.pk} early (service)")
        self._before_close()
        round_close(round=self.current.round, by=lead)
        self._after_close()

    @precondition(_is_open)
    @rule(as_manager=st.booleans())
    def close_on_the_page(self, as_manager):
        """POST /rounds/<id>/close/: whoever runs every team of the round may; a lead of one of several
        teams is refused (403) and the round stays open."""
        self._step()
        persona = "manager" if as_manager else "lead"
        url = f"/rounds/{self.current.round.pk}/close/"
        note(f"{persona} POSTs {url}")
        self._before_close()
        response = self._request(self._client(persona), "post", url, who=persona)
        if persona == "lead" and len(self.current.teams) > 1:
            assert response.status_code == 403, (url, response.status_code)
            assert Round.objects.get(pk=self.current.round.pk).closed_at is None
            return
        assert response.status_code == 302, (url, response.status_code)
        self._after_close()

    @precondition(_is_open)
    @rule()
    def the_date_passes(self):
        self._step()
        after = self.current.round.closes_at + timedelta(seconds=1)
        note(f"the date passes: rounds_close_due(now={after:%Y-%m-%d %H:%M})")
        self._before_close()
        assert len(rounds_close_due(now=after)) == 1
        self._after_close()

    @precondition(lambda self: any(rs.closed for rs in self.rounds))
    @rule(pick=PICK)
    def rebuild_scores(self, pick):
        self._step()
        closed = [rs for rs in self.rounds if rs.closed]
        rs = closed[pick % len(closed)]
        note(f"scores_store(round {rs.round.pk}) rebuilds its scores")
        scores_store(round=Round.objects.get(pk=rs.round.pk))
        rs.round.refresh_from_db()
        self.pages_due = self.pages_due or "rebuild"
        self.rebuilt = rs

    @precondition(_is_closed)
    @rule(team=PICK, who=PICK, tokens=ANSWERS, on_the_page=st.booleans())
    def answer_after_the_close(self, team, who, tokens, on_the_page):
        self._step()
        user, team_ = self._respondent(team, who)
        note(f"{self._who(user, team_)} tries to submit after the close")
        if on_the_page:
            data = {f"q{pk}": token for pk, token in self._answers(tokens).items()}
            data["action"] = "submit"
            url = f"/surveys/{self.current.round.pk}/{team_.slug}/"
            response = self._request(
                self._persona_client(user), "post", url, data=data, who=self._who(user, team_)
            )
            assert response.status_code == 200, (url, response.status_code)
        else:
            with pytest.raises(RoundNotOpen), transaction.atomic():
                response_save(
                    round=self.current.round,
                    team=team_,
                    user=user,
                    answers=self._answers(tokens),
                    comments={},
                    submit=True,
                )

    @precondition(lambda self: self._is_closed() and len(self.rounds) < MAX_ROUNDS)
    @rule(
        k=st.integers(min_value=3, max_value=5),
        k_extra=st.integers(min_value=0, max_value=2),
        covered=st.lists(st.booleans(), min_size=2, max_size=2),
    )
    def next_round(self, k, k_extra, covered):
        self._step()
        self._open_round(k=k, k_detail=min(k + k_extra, 5), covered=covered)

    # --- invariants: the database ------------------------------------------------------------

    @invariant()
    def promises_hold(self):
        """The invariants, in an order where the anonymity-at-rest checks (which fail on every
        close while keys are kept) come last and do not hide the others."""
        self.answers_of_submitted_responses_are_full_sets()
        self.open_round_keeps_each_persons_last_submitted_answers()
        self.scores_follow_the_truth_and_the_gates()
        self.views_answer_without_5xx_and_within_the_gates()
        self.closed_round_rows_lead_to_no_one()
        self.closed_round_rows_are_rewritten()
        self.org_median_needs_k_teams()

    def answers_of_submitted_responses_are_full_sets(self):
        """Every SUBMITTED response holds exactly one answer per question of the model."""
        if not self.rounds or not _enabled("full_sets"):
            return
        wanted = Counter(q.pk for q in self.world.questions)
        held: dict = {}
        for response_id, question_id in Answer.objects.filter(
            response__round__in=[rs.round for rs in self.rounds], response__status=Response.Status.SUBMITTED
        ).values_list("response_id", "question_id"):
            held.setdefault(response_id, Counter())[question_id] += 1
        submitted = Response.objects.filter(
            round__in=[rs.round for rs in self.rounds], status=Response.Status.SUBMITTED
        ).values_list("pk", flat=True)
        for response_id in submitted:
            got = held.get(response_id, Counter())
            assert got == wanted, (
                f"a submitted response holds {sum(got.values())} answers over {len(got)} questions, "
                f"not one for each of the {len(wanted)} questions"
            )

    def open_round_keeps_each_persons_last_submitted_answers(self):
        """While open: each person finds their last submitted set again, drafts never count."""
        if not self._is_open() or not _enabled("last_submitted"):
            return
        rs = self.current
        keys = {
            respondent_key(user_id=user.pk, round_id=rs.round.pk, team_id=team.pk): (user.pk, team.pk)
            for team in rs.teams
            for user in self.world.respondents[team.pk]
        }
        responses = {
            pk: (keys.get(key), status)
            for pk, key, status in Response.objects.filter(round=rs.round).values_list(
                "pk", "respondent_key", "status"
            )
        }
        answers: dict = {}
        for response_id, question_id, value, special in Answer.objects.filter(
            response__round=rs.round
        ).values_list("response_id", "question_id", "value", "special"):
            answers.setdefault(response_id, {})[question_id] = special or str(value)
        comments: dict = {}
        for response_id, dimension_id, text in Comment.objects.filter(response__round=rs.round).values_list(
            "response_id", "dimension_id", "text"
        ):
            comments.setdefault(response_id, {})[dimension_id] = text
        by_person = {person: (pk, status) for pk, (person, status) in responses.items()}
        for person, submission in rs.truth.items():
            assert person in by_person, f"the submitted response of {self.world.labels[person[0]]} is gone"
            pk, status = by_person[person]
            who = self.world.labels[person[0]]
            assert status == Response.Status.SUBMITTED, f"the response {who} submitted is a {status} now"
            assert answers.get(pk, {}) == dict(submission.answers), (
                f"{who}'s submitted answers changed without a submit: "
                f"{answers.get(pk, {})} instead of {dict(submission.answers)}"
            )
            assert comments.get(pk, {}) == dict(submission.comments), f"{who}'s submitted comments changed"
        assert all(person is not None for person, _status in responses.values()), (
            "a response of the open round belongs to no respondent of its teams"
        )
        counted = Counter(
            person[1] for person, status in responses.values() if status == Response.Status.SUBMITTED
        )
        assert counted == Counter(team for (_user, team) in rs.truth), (
            "submitted responses ≠ people who submitted"
        )
        taken = set(Participation.objects.filter(round=rs.round).values_list("user_id", "team_id"))
        assert taken == set(rs.truth), "participations ≠ people who submitted"

    def closed_round_rows_lead_to_no_one(self):
        """After the close: no respondent key on any response, no person's HMAC finds one, no drafts."""
        if not _enabled("no_one"):
            return
        for rs in self.rounds:
            if not rs.closed:
                continue
            rows = list(Response.objects.filter(round=rs.round).values_list("respondent_key", "status"))
            assert all(status == Response.Status.SUBMITTED for _key, status in rows), (
                "a draft survived the close"
            )
            kept = [key for key, _status in rows if key not in (None, "")]
            assert not kept, (
                f"{len(kept)} responses of closed round {rs.round.pk} still hold a respondent key"
            )
            hashes = {
                respondent_key(user_id=user.pk, round_id=rs.round.pk, team_id=team.pk)
                for team in rs.teams
                for user in self.world.respondents[team.pk]
            }
            assert not Response.objects.filter(respondent_key__in=hashes).exists(), (
                "a participant's HMAC finds their response after the close"
            )

    def closed_round_rows_are_rewritten(self):
        """SPEC §3.3: at the close responses and answers are rewritten with fresh keys (no id survives)."""
        if not _enabled("rewritten"):
            return
        for rs in self.rounds:
            if not rs.closed or not rs.ids_before_close:
                continue
            now = set(Response.objects.filter(round=rs.round).values_list("pk", flat=True)) | set(
                Answer.objects.filter(response__round=rs.round).values_list("pk", flat=True)
            )
            kept = now & rs.ids_before_close
            assert not kept, f"{len(kept)} response/answer ids of round {rs.round.pk} survived its close"

    def org_median_needs_k_teams(self):
        """SPEC §3.3: an org median needs at least k teams (the team dashboard's radar shows one)."""
        seen, self.medians_seen = self.medians_seen, []
        if not _enabled("median"):
            return
        for where, rs, keys in seen:
            teams_per_key = Counter(
                DimensionScore.objects.filter(round=rs.round).values_list("dimension_key", flat=True)
            )
            thin = {key: teams_per_key[key] for key in keys if teams_per_key[key] < rs.round.k}
            assert not thin, f"{where}: org median per dimension from fewer than k={rs.round.k} teams: {thin}"

    def scores_follow_the_truth_and_the_gates(self):
        """Stored aggregates of every closed round: gates from the truth, means from the truth."""
        if not _enabled("scores"):
            return
        for rs in self.rounds:
            if rs.closed:
                self._check_stored_scores(rs)

    def _check_stored_scores(self, rs: RoundState) -> None:
        world, round_ = self.world, rs.round
        k, k_detail = round_.k, round_.k_detail
        weights = {d.pk: float(d.weight) for d in world.dimensions}
        keys = {d.pk: d.key for d in world.dimensions}
        question_keys = {q.pk: q.key for q in world.questions}
        team_scores = {s.team_id: s for s in TeamScore.objects.filter(round=round_)}
        dimension_scores: dict = {}
        for score in DimensionScore.objects.filter(round=round_):
            dimension_scores.setdefault(score.team_id, {})[score.dimension_id] = score
        distributions: dict = {}
        for distribution in QuestionDistribution.objects.filter(round=round_):
            distributions.setdefault(distribution.team_id, {})[distribution.question_id] = distribution
        comments: dict = {}
        for team_id, dimension_id, text in DimensionComment.objects.filter(round=round_).values_list(
            "team_id", "dimension_id", "text"
        ):
            comments.setdefault(team_id, Counter())[(dimension_id, text)] += 1
        assert set(team_scores) == {t.pk for t in rs.teams}, "one TeamScore per team of the round"

        for team in rs.teams:
            truth, score = rs.team_truth(world, team.pk), team_scores[team.pk]
            where = f"{team.slug} in round {round_.pk} (k={k}, k_detail={k_detail})"
            stored = dimension_scores.get(team.pk, {})
            assert score.responses == truth.responses, (
                f"{where}: TeamScore counts {score.responses} responses, {truth.responses} were submitted"
            )
            assert score.invited == world.members[team.pk], f"{where}: invited ≠ members"
            if truth.responses < k:
                assert score.hidden, f"{where}: {truth.responses} responses < k, yet not hidden"
            if score.hidden:
                assert score.index is None and score.mean is None and score.level is None, (
                    f"{where}: hidden, yet a score is stored"
                )
                assert not stored, f"{where}: hidden, yet dimension scores are stored"
            else:
                assert score.index is not None and stored, (
                    f"{where}: TeamScore not hidden with index {score.index} and {len(stored)} dimension "
                    f"scores (on-scale people per dimension: "
                    f"{ {keys[d]: t.people for d, t in truth.dimensions.items()} })"
                )

            gated = truth.scored_dimensions(k)
            below = {keys[d]: truth.dimensions[d].people for d in set(stored) - gated}
            assert not below, f"{where}: dimension scores from fewer than k on-scale people: {below}"
            missing = {keys[d] for d in gated - set(stored)}
            assert not missing, (
                f"{where}: dimensions answered on the scale by ≥ k people have no score: {missing}"
            )
            for dimension_id in gated & set(stored):
                STATS.published_dimensions += 1
                ds, dt = stored[dimension_id], truth.dimensions[dimension_id]
                assert ds.mean == pytest.approx(dt.mean), (
                    f"{where}, {keys[dimension_id]}: stored mean {ds.mean}, submitted answers give {dt.mean} "
                    f"(values used {sorted(dt.values)})"
                )
                assert (ds.responses, ds.answers, ds.dont_know, ds.not_applicable) == (
                    dt.people,
                    len(dt.values),
                    dt.dont_know,
                    dt.not_applicable,
                ), f"{where}, {keys[dimension_id]}: stored counts ≠ submitted answers"
                # Agreement rwg(j), from the submitted answers with the statistics module.
                variances = [
                    statistics.variance(truth.questions[q.pk].values)
                    for q in world.questions
                    if q.dimension_id == dimension_id and len(truth.questions[q.pk].values) >= 2
                ]
                if not variances:
                    assert ds.agreement is None, f"{where}, {keys[dimension_id]}: agreement without variance"
                else:
                    ratio = statistics.mean(variances) / ((POINTS**2 - 1) / 12)
                    j = len(variances)
                    expected = 0.0 if ratio >= 1 else j * (1 - ratio) / (j * (1 - ratio) + ratio)
                    assert ds.agreement == pytest.approx(expected), (
                        f"{where}, {keys[dimension_id]}: agreement {ds.agreement}, answers give {expected}"
                    )
            if not score.hidden and score.mean is not None:
                overall = weighted_mean((truth.dimensions[d].mean, weights[d]) for d in gated)
                assert score.mean == pytest.approx(overall), (
                    f"{where}: overall {score.mean}, the published dimensions give {overall}"
                )

            detailed = truth.detailed_questions(k_detail)
            held = distributions.get(team.pk, {})
            thin = {question_keys[q]: truth.questions[q].people for q in set(held) - detailed}
            assert not thin, (
                f"{where}: question distributions/means stored with fewer than k_detail people "
                f"on the scale: {thin} (team responses {truth.responses})"
            )
            missing = {question_keys[q] for q in detailed - set(held)}
            assert not missing, f"{where}: questions answered on the scale by ≥ k_detail people lack details"
            for question_id in detailed & set(held):
                qd, qt = held[question_id], truth.questions[question_id]
                assert (list(qd.counts), qd.dont_know, qd.not_applicable) == (
                    qt.counts,
                    qt.dont_know,
                    qt.not_applicable,
                ), f"{where}, {question_keys[question_id]}: stored distribution ≠ submitted answers"
                assert qd.mean == pytest.approx(qt.mean), f"{where}, {question_keys[question_id]}: mean"

            got = comments.get(team.pk, Counter())
            if truth.responses < k_detail:
                assert not got, f"{where}: comments stored with {truth.responses} responses < k_detail"
            elif not score.hidden:
                assert got == truth.comments, f"{where}: stored comments ≠ submitted comments"

    # --- invariants: what people see -----------------------------------------------------------

    def views_answer_without_5xx_and_within_the_gates(self):
        """Pages, CSVs and the API: never 5xx, nothing below its gate.

        After each close or rebuild, the pages that read the round's stored scores (and the lead's
        counts); the lead's live counts every few steps; a whole persona's pages when the rule
        ``look_around`` says so. (Every page of every persona after every close costs too much
        for ``make test``; across examples the rule reaches them all.)
        """
        if not self.rounds or not (_enabled("views") or _enabled("median")):
            return
        due, self.pages_due = self.pages_due, None
        if due == "close":
            for url in self._score_urls(self.current):
                self._visit("member", url)
            self._visit("lead", "/rounds/")
        elif due == "rebuild":
            for url in self._score_urls(self.rebuilt)[:2]:  # the org page and the API, not the dashboard
                self._visit("member", url)
        elif self.several_teams and self._is_open() and self.steps % LIGHT_PAGES_EVERY == 0:
            # With one team the lead runs all of it; their counts are read after the close.
            self._visit("lead", "/rounds/")

    @precondition(lambda self: bool(self.rounds))
    @rule(persona=st.sampled_from(PERSONAS))
    def look_around(self, persona):
        """One persona opens every page, CSV and API answer of theirs."""
        self._step()
        note(f"{persona} opens every page")
        if _enabled("views") or _enabled("median"):
            for who, url in self._sweep():
                if who == persona:
                    self._visit(who, url)

    def _score_urls(self, rs: RoundState) -> list[str]:
        """The pages of one round that read its stored scores: the member's view of them."""
        number = rs.round.pk
        return [
            f"/org/?round={number}",
            f"/api/v1/rounds/{number}/scores",
            f"/teams/{self.world.teams[0].slug}/?round={number}",
        ]

    def _sweep(self) -> list[tuple[str, str]]:
        """(persona, url): the member everywhere, the others where their view differs."""
        world, rs = self.world, self.current
        number, mine = rs.round.pk, world.teams[0].slug
        group = world.group_slug
        heatmap_csv = reverse("export_heatmap")
        member = [
            "/",
            "/surveys/",
            f"/surveys/{number}/{mine}/",
            "/org/",
            f"/org/?round={number}&group={group}",
            f"/teams/{mine}/",
            reverse("export_team_history", args=[mine]),
            reverse("export_all_rounds"),
            f"{heatmap_csv}?round={number}",
            f"/api/v1/rounds/{number}/scores",
            reverse("export_round", args=[number]),
            *[f"/teams/{team.slug}/?round={number}" for team in rs.teams],
            f"/teams/{world.other_team.slug}/",
        ]
        lead = ["/", "/rounds/", f"/rounds/{number}/", f"/teams/{mine}/?round={number}"]
        manager = [
            "/rounds/",
            f"/rounds/{number}/",
            f"/org/?round={number}",
            f"{heatmap_csv}?round={number}&group={group}",
            *[f"/teams/{team.slug}/?round={number}" for team in rs.teams],
            *[reverse("export_team_history", args=[team.slug]) for team in rs.teams],
        ]
        outsider = [
            "/",
            f"/org/?round={number}",
            f"/api/v1/rounds/{number}/scores",
            f"/teams/{mine}/?round={number}",
            f"/rounds/{number}/",
            f"/surveys/{number}/{mine}/",
        ]
        staff = [
            f"/rounds/{number}/",
            f"/org/?round={number}",
            f"/api/v1/rounds/{number}/scores",
            reverse("export_round", args=[number]),
            *[f"/teams/{team.slug}/?round={number}" for team in rs.teams],
        ]
        return [
            (persona, url)
            for persona, urls in (
                ("member", member),
                ("lead", lead),
                ("manager", manager),
                ("outsider", outsider),
                ("staff", staff),
            )
            for url in urls
        ]

    def _client(self, persona: str) -> Client:
        if persona not in self.clients:
            client = Client()
            client.force_login(self.world.personas[persona], backend=BACKEND)
            self.clients[persona] = client
        return self.clients[persona]

    def _persona_client(self, user) -> Client:
        key = f"user:{user.pk}"
        if key not in self.clients:
            client = Client()
            client.force_login(user, backend=BACKEND)
            self.clients[key] = client
        return self.clients[key]

    def _request(self, client: Client, method: str, url: str, *, who: str, data=None):
        STATS.page_requests += 1
        started = time.perf_counter()
        try:
            # A savepoint per request: a failing view leaves the example's transaction usable.
            with transaction.atomic():
                response = getattr(client, method)(url, data=data or {})
                response.body = (
                    b"".join(response.streaming_content) if response.streaming else response.content
                )
        except Exception as error:
            error.add_note(f"{method.upper()} {url} as {who}")
            raise
        STATS.page_seconds += time.perf_counter() - started
        assert response.status_code < 500, f"{method.upper()} {url} as {who}: {response.status_code}"
        return response

    def _visit(self, persona: str, url: str) -> None:
        response = self._request(self._client(persona), "get", url, who=persona)
        if response.status_code != 200:
            return
        path = url.split("?")[0]
        context = response.context
        if context is not None and "results" in context and "team" in context:
            self._note_median(context["team"], context["results"], f"{url} as {persona}")
        if not _enabled("views"):
            return
        if path.startswith("/api/v1/rounds/"):
            self._check_api(json.loads(response.body), url)
        elif response.get("Content-Type", "").startswith("text/csv"):
            self._check_csv(response.body.decode("utf-8"), url)
        elif context is not None:
            if "results" in context and "team" in context:
                self._check_team_results(context["team"], context["results"], f"{url} as {persona}")
            if "heatmap" in context:
                self._check_heatmap(context["heatmap"], f"{url} as {persona}")
            if persona == "lead" and path == "/rounds/":
                self._check_lead_counts(context["rounds"])
            if persona == "lead" and re.fullmatch(r"/rounds/\d+/", path) and "rows" in context:
                self._check_lead_rows(int(path.split("/")[2]), context["rows"])

    def _state(self, round_id: int) -> RoundState | None:
        return next((rs for rs in self.rounds if rs.round.pk == round_id and rs.closed), None)

    def _gates(self, rs: RoundState, team_id: int) -> tuple[TeamTruth, set[str], set[str]]:
        truth = rs.team_truth(self.world, team_id)
        keys = {d.pk: d.key for d in self.world.dimensions}
        question_keys = {q.pk: q.key for q in self.world.questions}
        return (
            truth,
            {keys[d] for d in truth.scored_dimensions(rs.round.k)},
            {question_keys[q] for q in truth.detailed_questions(rs.round.k_detail)},
        )

    def _team(self, slug: str) -> Team | None:
        return next((t for t in [*self.world.teams, self.world.other_team] if t.slug == slug), None)

    def _check_team_results(self, team, results, where: str) -> None:
        rs = self._state(results.round.pk) if results.round is not None else None
        if rs is None or team.pk not in {t.pk for t in rs.teams}:
            return
        truth, scored, detailed = self._gates(rs, team.pk)
        shown = {row.key for row in results.dimensions}
        assert shown <= scored, f"{where}: dimensions below k shown: {shown - scored}"
        questions = {q.key for q in results.questions}
        assert questions <= detailed, (
            f"{where}: question details below k_detail shown: {questions - detailed}"
        )
        picked = {q.key for q in [*results.strengths(), *results.weaknesses()]}
        assert picked <= detailed, f"{where}: strengths/weaknesses below k_detail: {picked - detailed}"
        if results.comments:
            assert truth.responses >= rs.round.k_detail, (
                f"{where}: comments with fewer than k_detail responses"
            )

    def _note_median(self, team, results, where: str) -> None:
        """Checked last (org_median_needs_k_teams), so that it hides none of the other checks."""
        rs = self._state(results.round.pk) if results.round is not None else None
        if rs is not None and results.org_median:
            self.medians_seen.append((where, rs, set(results.org_median)))

    def _check_heatmap(self, heatmap, where: str) -> None:
        rs = self._state(heatmap.round.pk) if heatmap.round is not None else None
        if rs is None:
            return
        for row in heatmap.rows:
            if row.team.pk not in {t.pk for t in rs.teams}:
                continue
            _truth, scored, _detailed = self._gates(rs, row.team.pk)
            if row.hidden:
                assert row.index is None and not row.cells, f"{where}: hidden {row.team.slug} shows numbers"
            else:
                assert set(row.cells) <= scored, f"{where}: {row.team.slug} cells below k"

    def _check_api(self, body: dict, where: str) -> None:
        rs = self._state(body["round"])
        assert rs is not None, f"{where}: scores of a round that is not closed"
        for entry in body["teams"]:
            team = self._team(entry["team"])
            truth, scored, _detailed = self._gates(rs, team.pk)
            keys = {d["key"] for d in entry["dimensions"]}
            assert entry["responses"] == truth.responses, f"{where}: {team.slug} response count"
            if entry["hidden"]:
                assert entry["index"] is None and not keys, f"{where}: hidden {team.slug} with numbers"
            else:
                assert entry["index"] is not None, f"{where}: {team.slug} not hidden, no index"
            assert keys <= scored, f"{where}: {team.slug} dimensions below k: {keys - scored}"
            for dimension in entry["dimensions"]:
                assert dimension["responses"] >= rs.round.k, f"{where}: {team.slug} {dimension['key']} < k"

    def _check_csv(self, text: str, where: str) -> None:
        rows = list(csv.DictReader(io.StringIO(text)))
        by_name = {rs.round.name: rs for rs in self.rounds if rs.closed}
        for row in rows:
            if "dimension_key" in row:  # round, all rounds, team history: team × dimension rows
                rs, team = by_name.get(row["round"]), self._team(row["team"])
                if rs is None or team is None:
                    continue
                _truth, scored, _detailed = self._gates(rs, team.pk)
                assert row["dimension_key"] in scored, f"{where}: {team.slug} {row['dimension_key']} below k"
                assert int(row["responses"]) >= rs.round.k, f"{where}: a row from fewer than k responses"
            elif "overall_index" in row and row["overall_index"] == "hidden":
                numbers = [value for name, value in row.items() if name.endswith(("_index", "_delta"))]
                assert not any(value for value in numbers if value != "hidden"), (
                    f"{where}: hidden row numbers"
                )

    def _check_lead_counts(self, rounds) -> None:
        """A lead's live counts cover the teams they run only (SPEC §3.3)."""
        team = self.world.teams[0]
        for item in rounds:
            rs = next((r for r in self.rounds if r.round.pk == item.pk), None)
            if rs is None:
                continue
            mine = rs.participations(team.pk)
            assert item.taken <= self.world.members[team.pk] and item.taken == mine, (
                f"/rounds/ shows the lead of {team.slug} {item.taken} taken in round {item.pk}; "
                f"their team has {self.world.members[team.pk]} members and {mine} took part "
                f"({sum(rs.participations(t.pk) for t in rs.teams)} over the round's {len(rs.teams)} teams)"
            )

    def _check_lead_rows(self, round_id: int, rows) -> None:
        rs = next((r for r in self.rounds if r.round.pk == round_id), None)
        if rs is None:
            return
        led = {self.world.teams[0].pk}
        for row in rows:
            assert row["team"].pk in led, f"/rounds/{round_id}/ shows the lead a team they do not run"
            assert row["taken"] == rs.participations(row["team"].pk), f"/rounds/{round_id}/ taken"


class OneTeamLifecycle(Lifecycle):
    several_teams = False


class SeveralTeamsLifecycle(Lifecycle):
    several_teams = True


def _run(machine: type[Lifecycle], record_property) -> None:
    before = Stats(**vars(STATS))
    # Outsiders' 404s are expected by the hundred; the log would drown the report.
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    try:
        run_state_machine_as_test(
            machine,
            settings=hypothesis_settings(
                max_examples=EXAMPLES,
                stateful_step_count=STEPS,
                deadline=None,
                derandomize=not RANDOM,
                database=None,
                print_blob=False,
                # No "explain" phase: it reruns the failing example many times over, pages and all.
                phases=[Phase.explicit, Phase.generate, Phase.shrink],
                suppress_health_check=[
                    HealthCheck.too_slow,
                    HealthCheck.data_too_large,
                    HealthCheck.filter_too_much,
                    HealthCheck.large_base_example,
                ],
            ),
        )
    finally:
        request_log.setLevel(level)
        ran = {name: value - getattr(before, name) for name, value in vars(STATS).items()}
        print(
            f"\n{machine.__name__}: {ran['lifecycles']} lifecycles, {ran['steps']} steps, "
            f"{ran['closes']} closes, {ran['page_requests']} page requests ({ran['page_seconds']:.0f} s)"
        )
        for name in ("lifecycles", "steps", "closes", "published_dimensions", "page_requests"):
            record_property(f"count:lifecycle {name.replace('_', ' ')}", ran[name])


def test_rounds_over_one_team_keep_their_promises(db, record_property):
    _run(OneTeamLifecycle, record_property)


def test_rounds_over_several_teams_keep_their_promises(db, record_property):
    _run(SeveralTeamsLifecycle, record_property)
