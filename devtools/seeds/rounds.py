"""Demo rounds for `manage.py seed_demo`: six closed quarterly rounds with believable trends and
one open round in which `member` has not answered yet. Idempotent: rounds are found by name."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from assessments.models import Answer, Comment, Participation, Question, Response, Round, Schedule
from assessments.services import default_model_ensure, respondent_key, round_close, scores_store
from bulk_rows import bulk_insert
from devtools.seeds.organisation import CAPABILITY
from teams.models import Membership, Team

CLOSED_ROUNDS = 6
# One team–round below k, to show how hidden results look: (team slug, rounds ago).
THIN_ROUND = ("ledger", 3)
# One dimension a team sees in two camps in its latest closed round, to show weak agreement:
# (team slug, dimension key); each person leans this far up or down from the team's mean.
SPLIT = ("checkout", "security")
SPLIT_LEAN = 1.52
COMMENTS = {
    "culture": ["We help each other a lot when things break.", "Bad news still travels slowly upwards."],
    "cicd": ["Our pipeline is slow on Mondays.", "Release sign-off takes days."],
    "progressive-delivery": ["Feature flags made Friday releases boring, in a good way."],
    "resilience": ["We have never practised a failover.", "The last game day taught us a lot."],
    "security": ["Scanning finds things but nobody has time to fix them."],
    "observability": ["Too many alerts at night.", "Tracing saved us hours last incident."],
    "lean-flow": ["We start too many things at once."],
    "learning": ["Improvement time is the first thing we drop.", "The blameless reviews really help."],
}


def _quarter_name(when) -> str:
    return f"{when.year} Q{(when.month - 1) // 3 + 1} pulse"


def seed_rounds(teams: list[Team], users: dict) -> list[Round]:
    """Create the demo rounds (closed ones scored) for these teams; return every demo round."""
    model = default_model_ensure()
    rng = random.Random(7)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    questions = list(Question.objects.filter(dimension__model=model).select_related("dimension"))
    members = {team.pk: [] for team in teams}
    for membership in (
        Membership.objects.filter(team__in=teams).select_related("user").order_by("user__username")
    ):
        members[membership.team_id].append(membership.user)

    rounds = []
    for ago in range(CLOSED_ROUNDS, 0, -1):
        opens = now - timedelta(days=91 * ago + 14)
        round_, created = Round.objects.get_or_create(
            name=_quarter_name(opens),
            defaults={"model": model, "opens_at": opens, "closes_at": opens + timedelta(days=14)},
        )
        rounds.append(round_)
        if not created:
            continue
        round_.teams.set(teams)
        step = CLOSED_ROUNDS - ago  # 0 for the oldest round
        for team in teams:
            people = members[team.pk]
            if (team.slug, ago) == THIN_ROUND:
                count = 2
            else:
                count = max(3, min(len(people), round(len(people) * rng.uniform(0.6, 1.0))))
            split = SPLIT[1] if (team.slug == SPLIT[0] and ago == 1) else None
            _answer(
                round_, team, rng.sample(people, count), questions, model.scale_points, rng, step, split=split
            )
        round_close(round=round_, now=round_.closes_at)

    opens = now - timedelta(days=10)
    current, created = Round.objects.get_or_create(
        name=_quarter_name(now),
        defaults={"model": model, "opens_at": opens, "closes_at": now + timedelta(days=11)},
    )
    rounds.append(current)
    if created:
        current.teams.set(teams)
        for team in teams:
            others = [user for user in members[team.pk] if user.username != "member"]
            _answer(
                current,
                team,
                rng.sample(others, len(others) // 2),
                questions,
                model.scale_points,
                rng,
                CLOSED_ROUNDS,
            )
    return rounds


def _answer(
    round_: Round,
    team: Team,
    people,
    questions,
    points: int,
    rng: random.Random,
    step: int,
    *,
    split: str | None = None,
) -> None:
    """Submitted responses of these people, around the team's capability and trend; in the
    ``split`` dimension, half of them lean up and half down (two camps)."""
    capability, trend = CAPABILITY.get(team.slug, (0.5, "flat"))
    drift = {"up": 0.22, "down": -0.2, "flat": 0.0}[trend] * step
    dimension_bias = {}
    responses, answers, comments, participations = [], [], [], []
    for number, person in enumerate(people):
        lean = SPLIT_LEAN if number % 2 else -SPLIT_LEAN
        response = Response(
            round=round_,
            team=team,
            respondent_key=respondent_key(user_id=person.pk, round_id=round_.pk, team_id=team.pk),
            status=Response.Status.SUBMITTED,
        )
        responses.append(response)
        participations.append(Participation(user=person, round=round_, team=team))
        for question in questions:
            key = question.dimension.key
            bias = dimension_bias.setdefault(key, rng.uniform(-0.6, 0.6))
            roll = rng.random()
            if roll < 0.03:
                answers.append(Answer(response=response, question=question, special=Answer.Special.DONT_KNOW))
                continue
            if roll < 0.05:
                answers.append(
                    Answer(response=response, question=question, special=Answer.Special.NOT_APPLICABLE)
                )
                continue
            mean = 1.5 + capability * 4.5 + drift + bias + (lean if key == split else 0.0)
            value = min(points, max(1, round(rng.gauss(mean, 1.0))))
            given = points + 1 - value if question.reverse else value
            answers.append(Answer(response=response, question=question, value=given))
        if rng.random() < 0.35:
            dimension = rng.choice(questions).dimension
            comments.append(
                Comment(response=response, dimension=dimension, text=rng.choice(COMMENTS[dimension.key]))
            )
    Response.objects.bulk_create(responses)
    Participation.objects.bulk_create(participations)
    Answer.objects.bulk_create(answers, batch_size=2000)
    Comment.objects.bulk_create(comments)


# --- Enterprise scale (`seed_demo --scale enterprise`) ---------------------------------------

ENTERPRISE_SEED = 20261126


def seed_enterprise_rounds(
    teams: list[Team],
    capability: dict[str, tuple[float, str]],
    *,
    rounds: int,
    responses_per_team: int,
    progress=None,
    now=None,
) -> list[Round]:
    """``rounds`` closed quarterly rounds over every team and one open round; about
    ``responses_per_team`` submitted responses per team–round (fewer when a team is smaller),
    each with a Participation.

    The open round's responses carry a respondent key like a real submit; ``member`` has a survey
    waiting there. A closed round's are written as round_close leaves them (no respondent key,
    random keys, the responses in an order of their own) and scored by the same scores_store:
    copying a million answers again to anonymise what was never linked would only slow the seed.
    Answers are bulk inserted (COPY on PostgreSQL); everything else uses bulk_create.
    """
    model = default_model_ensure()
    rng = random.Random(ENTERPRISE_SEED)
    now = (now or timezone.now()).replace(minute=0, second=0, microsecond=0)
    questions = list(Question.objects.filter(dimension__model=model).select_related("dimension"))
    members: dict[int, list[int]] = {team.pk: [] for team in teams}
    for user_id, team_id in (
        Membership.objects.filter(team__in=teams)
        .order_by("team_id", "user_id")
        .values_list("user_id", "team_id")
    ):
        members[team_id].append(user_id)
    skip = set(get_user_model().objects.filter(username="member").values_list("pk", flat=True))

    created = []
    for ago in range(rounds, -1, -1):
        if ago:
            opens = now - timedelta(days=91 * ago + 14)
            round_ = Round.objects.create(
                name=_quarter_name(opens),
                model=model,
                opens_at=opens,
                closes_at=opens + timedelta(days=14),
            )
        else:
            round_ = Round.objects.create(
                name=_quarter_name(now),
                model=model,
                opens_at=now - timedelta(days=10),
                closes_at=now + timedelta(days=60),
            )
        Round.teams.through.objects.bulk_create(
            [Round.teams.through(round_id=round_.pk, team_id=team.pk) for team in teams], batch_size=2000
        )
        step = rounds - ago
        if progress:
            progress.stage(f"round {rounds - ago + 1}/{rounds + 1}: answers")
        rows = _Rows(closed=bool(ago))
        for team in teams:
            people = [user_id for user_id in members[team.pk] if not (ago == 0 and user_id in skip)]
            count = min(len(people), max(3, round(rng.gauss(responses_per_team, 1.2))))
            _answer_in_bulk(
                rows,
                round_,
                team,
                rng.sample(people, count),
                questions,
                model.scale_points,
                rng,
                step,
                capability,
            )
        rows.insert(rng)
        if progress:
            progress.advance(2)
            progress.stage(f"round {rounds - ago + 1}/{rounds + 1}: scores")
        if ago:
            scores_store(round=round_)
            Round.objects.filter(pk=round_.pk).update(closed_at=round_.closes_at, scored_at=round_.closes_at)
        created.append(round_)
        if progress:
            progress.advance(1)
    return created


@dataclass
class _Rows:
    """One round's rows, inserted together; a closed round's responses (with their answers and
    comments) in a shuffled order, so that nothing lines them up with the participations."""

    closed: bool
    responses: list[Response] = field(default_factory=list)
    participations: list[Participation] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    answers: list[list[tuple]] = field(default_factory=list)  # per response

    def insert(self, rng: random.Random) -> None:
        order = list(range(len(self.responses)))
        if self.closed:
            rng.shuffle(order)
        Response.objects.bulk_create([self.responses[i] for i in order], batch_size=2000)
        Participation.objects.bulk_create(self.participations, batch_size=2000)
        bulk_insert(
            Answer,
            ["response", "question", "value", "special"],
            (answer for i in order for answer in self.answers[i]),
        )
        position = {self.responses[i].pk: n for n, i in enumerate(order)}
        self.comments.sort(key=lambda comment: position[comment.response_id])
        Comment.objects.bulk_create(self.comments, batch_size=2000)


def _answer_in_bulk(rows: _Rows, round_, team, user_ids, questions, points, rng, step, capability) -> None:
    """Like _answer, without model instances for the answers: they are most of the 1.5 million rows."""
    team_capability, trend = capability.get(team.slug, (0.5, "flat"))
    drift = {"up": 0.12, "down": -0.1, "flat": 0.0}[trend] * step
    bias = {question.dimension.key: rng.uniform(-0.6, 0.6) for question in questions}
    mean = 1.5 + team_capability * 4.5 + drift
    responses, participations, comments = rows.responses, rows.participations, rows.comments
    gauss, roll = rng.gauss, rng.random
    for user_id in user_ids:
        response = Response(
            id=uuid.UUID(int=rng.getrandbits(128), version=4),
            round=round_,
            team=team,
            respondent_key=None
            if rows.closed
            else respondent_key(user_id=user_id, round_id=round_.pk, team_id=team.pk),
            status=Response.Status.SUBMITTED,
        )
        responses.append(response)
        participations.append(Participation(user_id=user_id, round=round_, team=team))
        answers = []
        rows.answers.append(answers)
        for question in questions:
            chance = roll()
            if chance < 0.03:
                answers.append((response.pk, question.pk, None, Answer.Special.DONT_KNOW.value))
            elif chance < 0.05:
                answers.append((response.pk, question.pk, None, Answer.Special.NOT_APPLICABLE.value))
            else:
                value = min(points, max(1, round(gauss(mean + bias[question.dimension.key], 1.0))))
                answers.append(
                    (response.pk, question.pk, points + 1 - value if question.reverse else value, "")
                )
        if roll() < 0.2:
            dimension = rng.choice(questions).dimension
            comments.append(
                Comment(
                    response=response,
                    dimension=dimension,
                    text=rng.choice(COMMENTS.get(dimension.key, ["…"])),
                )
            )


def seed_schedule(teams: list[Team], lead) -> Schedule:
    """An active quarterly schedule over the demo teams: its first round opens on the 5th of the
    quarter after the open round closes, by itself, and reminds 3 days in and a day before close."""
    model = default_model_ensure()
    after = timezone.localdate() + timedelta(days=12)  # the open round closes in 11 days
    month = 3 * ((after.month - 1) // 3 + 1) + 1
    year = after.year + (month - 1) // 12
    starts_on = date(year, (month - 1) % 12 + 1, 5)
    schedule, created = Schedule.objects.get_or_create(
        name="DevOps check",
        defaults={
            "model": model,
            "cadence": Schedule.Cadence.QUARTERLY,
            "starts_on": starts_on,
            "open_days": 14,
            "created_by": lead,
        },
    )
    if created:
        schedule.teams.set(teams)
    return schedule
