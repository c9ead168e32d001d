"""Demo improvement actions for `manage.py seed_demo`: every stage on every demo team's board.

After each closed round a team takes on its weakest dimension, or the one it then improved most,
and finishes the action before the next round; the latest round's weak spots are in progress
now. So the flow chart, cycle times and the loop-closing panel all have believable data, and
some actions show a dimension that really moved. `member`'s team (checkout) keeps a free place
in Do. Deterministic (a seeded generator) and idempotent: a second run creates nothing. Bulk
inserts, so it takes a moment.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from assessments.models import Dimension, DimensionScore, Round
from bulk_rows import bulk_insert
from improvements import flow
from improvements.models import Action, Experiment
from teams.models import Membership, Team

# fmt: off
IDEAS: dict[str, list[tuple[str, str, str, str, str]]] = {
    # key: [(title, current condition, target condition, root cause, countermeasure)]
    "culture": [
        ("Blameless review after every incident",
         "Incident reviews happen for one incident in three and end with a name.",
         "Every incident above severity 3 gets a review within a week that names causes, not people.",
         "Why no review? No time. Why? Reviews feel like trials. Why? The template asks who erred.",
         "A new review template with questions about the system; the lead facilitates the first three."),
        ("Bad news travels up fast",
         "Problems reach the lead days after the team knows them.",
         "Anyone can raise a risk at stand-up and it is on the board the same day.",
         "Why late? People wait until they have a fix. Why? Raising a problem without one felt like failing.",
         "A standing \u201cworries\u201d slot in stand-up; the lead thanks every messenger."),
    ],
    "cicd": [
        ("Cut the pipeline to under 10 minutes",
         "The main pipeline takes 38 minutes; people batch changes to wait less often.",
         "Main pipeline green in under 10 minutes, 9 runs in 10.",
         "Why slow? The integration tests run serially. Why? They share one database.",
         "One database per test worker; split the suite into four parallel jobs."),
        ("Merge to trunk daily",
         "Branches live 6 days on average; merges conflict every week.",
         "No branch older than a day; conflicts become rare.",
         "Why long branches? Features are merged whole. Why? No way to hide unfinished work.",
         "Feature flags for unfinished work; a daily merge habit, checked at stand-up."),
    ],
    "progressive-delivery": [
        ("Canary every release",
         "Releases go to all users at once; two rollbacks last quarter hit everyone.",
         "Every release goes to 5 % first and is promoted automatically when error rates hold.",
         "Why all at once? The deploy tool has no traffic splitting. Why? Nobody set it up.",
         "Enable weighted routing in the ingress and a promotion step in the pipeline."),
    ],
    "resilience": [
        ("Practise a failover every quarter",
         "The failover runbook is two years old and nobody has run it.",
         "A failover drill each quarter, under 15 minutes, with a written review.",
         "Why never run? It feels risky. Why? We do not know what will break.",
         "A game day in staging first, then production in a quiet hour."),
    ],
    "security": [
        ("Fix critical dependency alerts within a week",
         "43 open critical and high dependency alerts, the oldest 5 months old.",
         "No critical alert older than 7 days.",
         "Why old alerts? Nobody owns them. Why? They land in a channel nobody reads.",
         "Alerts become board cards with an owner; a weekly 30-minute fix slot."),
    ],
    "observability": [
        ("Alert on symptoms, not causes",
         "Around 60 pages a month at night, most of them resolve by themselves.",
         "Fewer than 10 night pages a month, each one needing a human.",
         "Why so many? We alert on CPU and memory. Why? Those were the defaults.",
         "SLO-based alerts on error rate and latency; delete the cause-based ones."),
        ("An SLO for checkout latency",
         "We learn about slowness from support tickets.",
         "A published SLO with an error budget the team looks at every week.",
         "Why tickets? No latency objective. Why? Nobody agreed what fast enough means.",
         "Agree the objective with product; dashboard and burn-rate alert."),
    ],
    "lean-flow": [
        ("Limit work in progress",
         "Eleven items in progress for six people; everything is half done.",
         "At most one item in progress per pair; cycle time down by a third.",
         "Why so many? We start when blocked. Why? Blockers are not visible.",
         "WIP limits on the board and a daily look at blocked items first."),
    ],
    "learning": [
        ("Protect improvement time",
         "Improvement work is the first thing dropped when a deadline nears.",
         "Every Friday afternoon is improvement time, kept 4 weeks in 5.",
         "Why dropped? It is not planned. Why? It is not seen as real work.",
         "Improvement actions go on the same board as features, with owners."),
        ("Share what we learn from incidents",
         "Lessons from incidents stay in the heads of those on call.",
         "A short learning review each month, open to other teams.",
         "Why? Reviews are written but not read. Why? Nobody hears about them.",
         "A monthly 30-minute session and a digest in the engineering channel."),
    ],
}
GENERAL: list[tuple[str, str, str, str, str]] = [
    ("Shorter stand-ups",
     "Stand-up takes 25 minutes and drifts into problem solving.",
     "Stand-up in 10 minutes; problems solved right after by the people who need to be there.",
     "Why long? We go person by person. Why? Habit.",
     "Walk the board right to left instead."),
    ("Onboarding checklist for new joiners",
     "A new joiner needs three weeks to make a first change.",
     "First change in production in the first week.",
     "Why slow? Set-up is undocumented. Why? It changes often.",
     "A scripted set-up and a first-week checklist, tested by the next joiner."),
]
# fmt: on
EXPERIMENTS = [
    (
        "Try it for two weeks with one pair.",
        "Fewer hand-offs, less waiting.",
        "Waiting went down, but the pair felt isolated.",
        "Rotate pairs so knowledge spreads.",
    ),
    (
        "Run it for the whole team for a sprint.",
        "The number moves in the right direction.",
        "It moved, less than hoped.",
        "The second bottleneck is now visible; tackle it next.",
    ),
    (
        "Make it the default and remove the old way.",
        "It sticks without reminders.",
        "It stuck.",
        "Write it into the team's working agreement.",
    ),
]
# Days spent in each stage on the way to Done (low, high).
DURATIONS = {flow.PLAN: (3, 12), flow.DO: (8, 25), flow.CHECK: (4, 12), flow.ACT: (2, 7)}
# The open cards per team: how many in each stage now. Checkout keeps a free place in Do.
OPEN_STAGES = {flow.PLAN: (1, 3), flow.DO: (1, 3), flow.CHECK: (0, 2), flow.ACT: (0, 2)}
CHECKOUT_IN_DO = 2
STARTED_DAYS_AGO = {flow.PLAN: (2, 35), flow.DO: (15, 50), flow.CHECK: (30, 70), flow.ACT: (40, 85)}


def seed_actions(teams: list[Team], users: dict) -> int:
    """Create the demo actions of these teams (unless they have some); return how many they have."""
    existing = Action.objects.filter(team__in=teams)
    if existing.exists():
        return existing.count()
    rng = random.Random(5)
    now = timezone.now().replace(second=0, microsecond=0)
    members: dict[int, list] = defaultdict(list)
    for membership in (
        Membership.objects.filter(team__in=teams).select_related("user").order_by("user__username")
    ):
        members[membership.team_id].append(membership.user)
    rounds = list(Round.objects.scored().filter(teams__in=teams).distinct().order_by("closes_at", "pk"))
    scores: dict[tuple[int, int], dict[str, DimensionScore]] = defaultdict(dict)
    for score in DimensionScore.objects.filter(team__in=teams, round__in=rounds).select_related("dimension"):
        scores[(score.team_id, score.round_id)][score.dimension_key] = score

    coverage = set(
        Round.teams.through.objects.filter(team__in=teams, round__in=rounds).values_list(
            "team_id", "round_id"
        )
    )

    plans: list[tuple[Action, list[tuple[str, datetime]], int]] = []
    member_late = False
    for team in teams:
        people = members.get(team.pk) or [None]
        covered = [round_ for round_ in rounds if (team.pk, round_.pk) in coverage]
        # One finished (or dropped) action between each pair of consecutive closed rounds.
        for before, after in zip(covered, covered[1:], strict=False):
            start = before.closes_at + timedelta(days=rng.randint(3, 20))
            deadline = after.opens_at - timedelta(days=rng.randint(1, 10))
            dimension = _dimension_between(scores[(team.pk, before.pk)], scores[(team.pk, after.pk)], rng)
            final = flow.DROPPED if rng.random() < 0.15 else flow.DONE
            plans.append(_planned(team, dimension, before, start, deadline, final, people, rng, now))
            if rng.random() < 0.35:
                start = start + timedelta(days=rng.randint(5, 15))
                plans.append(_planned(team, None, None, start, deadline, flow.DONE, people, rng, now))
        # The latest round's weak spots are being worked on now.
        latest = covered[-1] if covered else None
        weak = sorted((scores[(team.pk, latest.pk)].values() if latest else []), key=lambda s: s.mean)
        since = (latest.closes_at if latest else now - timedelta(days=90)) + timedelta(days=3)
        for stage, (low, high) in OPEN_STAGES.items():
            count = (
                CHECKOUT_IN_DO if (team.slug == "checkout" and stage == flow.DO) else rng.randint(low, high)
            )
            for _ in range(count):
                dimension = weak.pop(0).dimension if weak and rng.random() < 0.8 else None
                # Cards further along the board were started earlier.
                start = max(since, now - timedelta(days=rng.randint(*STARTED_DAYS_AGO[stage])))
                planned = _planned(
                    team, dimension, latest if dimension else None, start, now, stage, people, rng, now
                )
                if team.slug == "checkout" and stage in (flow.PLAN, flow.DO) and users.get("member"):
                    # So that `member` finds actions of their own on the home page, one running late.
                    planned[0].owner = planned[0].created_by = users["member"]
                    if stage == flow.DO and not member_late:
                        planned[0].due_date = (now - timedelta(days=4)).date()
                        member_late = True
                plans.append(planned)

    _store(plans, rng, now)
    return len(plans)


def _store(
    plans: list[tuple[Action, list[tuple[str, datetime]], int]], rng: random.Random, now: datetime
) -> None:
    """Insert planned actions with their history (a record per stage change, as the app writes
    them) and experiments, in bulk."""
    history = Action.history.model
    copied = [
        field.attname
        for field in history._meta.concrete_fields
        if not field.name.startswith("history_") and field.attname != "updated_at"
    ]
    with transaction.atomic():
        actions = [action for action, _moves, _cycles in plans]
        Action.objects.bulk_create(actions, batch_size=1000)
        records, experiments = [], []
        for action, moves, cycles in plans:
            snapshot = {name: getattr(action, name) for name in copied}
            for index, (stage, at) in enumerate(moves):
                snapshot.update(stage=stage, stage_changed_at=at)
                records.append(
                    (*snapshot.values(), at, "+" if index == 0 else "~", action.owner_id, "demo data")
                )
            day = action.created_at.date()
            for index in range(cycles):
                step, expected, happened, learned = EXPERIMENTS[index]
                day = day + timedelta(days=rng.randint(5, 12))
                last = index == cycles - 1 and action.stage in (flow.DO, flow.CHECK)
                experiments.append(
                    (
                        action.pk,
                        min(day, now.date()),
                        step,
                        expected,
                        "" if last else happened,
                        "" if last else learned,
                        action.owner_id,
                    )
                )
        bulk_insert(
            history,
            [
                *copied_names(history, copied),
                "history_date",
                "history_type",
                "history_user",
                "history_change_reason",
            ],
            records,
        )
        bulk_insert(
            Experiment,
            ["action", "date", "step", "expected", "happened", "learned", "created_by"],
            experiments,
        )


def copied_names(history, attnames: list[str]) -> list[str]:
    """The historical model's field names for these column names (team_id → team)."""
    by_attname = {field.attname: field.name for field in history._meta.concrete_fields}
    return [by_attname[name] for name in attnames]


# --- Enterprise scale (`seed_demo --scale enterprise`) ---------------------------------------


def seed_enterprise_actions(teams: list[Team], *, count: int, progress=None) -> int:
    """About ``count`` actions over these teams, spread over the gaps between their scored rounds
    (finished or dropped) and open on their boards now, each with its stage changes, experiments
    and A3 history. Returns how many were made."""
    rng = random.Random(20261128)
    now = timezone.now().replace(second=0, microsecond=0)
    members: dict[int, list] = defaultdict(list)
    for membership in Membership.objects.filter(team__in=teams).select_related("user").order_by("user_id"):
        members[membership.team_id].append(membership.user)
    rounds = list(Round.objects.scored().filter(teams__in=teams).distinct().order_by("closes_at", "pk"))
    scores: dict[tuple[int, int], dict[str, DimensionScore]] = defaultdict(dict)
    for score in DimensionScore.objects.filter(team__in=teams, round__in=rounds).select_related("dimension"):
        scores[(score.team_id, score.round_id)][score.dimension_key] = score
    coverage = set(
        Round.teams.through.objects.filter(team__in=teams, round__in=rounds).values_list(
            "team_id", "round_id"
        )
    )
    # About five cards are open on each board; the rest finished between rounds.
    finished_per_team = max(count / max(len(teams), 1) - 5, 0)
    plans: list[tuple[Action, list[tuple[str, datetime]], int]] = []
    for team in teams:
        people = members.get(team.pk) or [None]
        covered = [round_ for round_ in rounds if (team.pk, round_.pk) in coverage]
        gaps = list(zip(covered, covered[1:], strict=False))
        per_gap = finished_per_team / len(gaps) if gaps else 0
        for before, after in gaps:
            for index in range(int(per_gap) + (rng.random() < per_gap % 1)):
                start = before.closes_at + timedelta(days=rng.randint(3, 40))
                deadline = after.opens_at - timedelta(days=rng.randint(1, 10))
                dimension = (
                    _dimension_between(scores[(team.pk, before.pk)], scores[(team.pk, after.pk)], rng)
                    if index == 0
                    else None
                )
                final = flow.DROPPED if rng.random() < 0.15 else flow.DONE
                plans.append(
                    _planned(
                        team,
                        dimension,
                        before if dimension else None,
                        start,
                        deadline,
                        final,
                        people,
                        rng,
                        now,
                    )
                )
        latest = covered[-1] if covered else None
        weak = sorted((scores[(team.pk, latest.pk)].values() if latest else []), key=lambda s: s.mean)
        since = (latest.closes_at if latest else now - timedelta(days=90)) + timedelta(days=3)
        for stage, (low, high) in OPEN_STAGES.items():
            for _ in range(rng.randint(low, high)):
                dimension = weak.pop(0).dimension if weak and rng.random() < 0.8 else None
                start = max(since, now - timedelta(days=rng.randint(*STARTED_DAYS_AGO[stage])))
                plans.append(
                    _planned(
                        team, dimension, latest if dimension else None, start, now, stage, people, rng, now
                    )
                )
    if progress:
        progress.advance(1)
    _store(plans, rng, now)
    if progress:
        progress.advance(2)
    return len(plans)


def _dimension_between(
    before: dict[str, DimensionScore], after: dict[str, DimensionScore], rng: random.Random
) -> Dimension | None:
    """The dimension the team improved most from one round to the next (it worked on it), or,
    when the next round has no scores, its weakest; None without scores to go on."""
    if not before:
        return None
    both = [key for key in before if key in after]
    if both and rng.random() < 0.8:
        key = max(both, key=lambda k: after[k].mean - before[k].mean)
    else:
        key = min(before, key=lambda k: before[k].mean)
    return before[key].dimension


def _planned(
    team: Team,
    dimension: Dimension | None,
    source_round: Round | None,
    start: datetime,
    end: datetime,
    final: str,
    people: list,
    rng: random.Random,
    now: datetime,
) -> tuple[Action, list[tuple[str, datetime]], int]:
    """An action created at ``start`` that reaches ``final`` before ``end``, with its moves."""
    ideas = IDEAS.get(dimension.key, GENERAL) if dimension else GENERAL
    title, current, target, cause, countermeasure = rng.choice(ideas)
    path = {
        flow.PLAN: [flow.PLAN],
        flow.DO: [flow.PLAN, flow.DO],
        flow.CHECK: [flow.PLAN, flow.DO, flow.CHECK],
        flow.ACT: [flow.PLAN, flow.DO, flow.CHECK, flow.ACT],
        flow.DONE: [flow.PLAN, flow.DO, flow.CHECK, flow.ACT, flow.DONE],
        flow.DROPPED: [flow.PLAN, flow.DO, flow.DROPPED],
    }[final]
    if final == flow.DONE and rng.random() < 0.2:
        # Check showed the step did not work: back to Do for another try.
        path = [flow.PLAN, flow.DO, flow.CHECK, flow.DO, flow.CHECK, flow.ACT, flow.DONE]
    start = min(start, now - timedelta(days=len(path)))
    durations = [rng.randint(*DURATIONS.get(stage, (1, 3))) for stage in path[:-1]]
    span = (end - start).total_seconds() / 86_400
    scale = min(1.0, span / max(sum(durations), 1) * 0.95) if span > 0 else 0.1
    moves, at = [(path[0], start)], start
    for stage, days in zip(path[1:], durations, strict=True):
        at = at + timedelta(days=max(days * scale, 0.5), hours=rng.randint(0, 8))
        moves.append((stage, min(at, now)))
    owner = rng.choice(people)
    due = (start + timedelta(days=rng.choice([30, 45, 60, 75]))).date()
    if final in flow.OPEN:
        late = (now - timedelta(days=rng.randint(3, 20))).date()
        if late > start.date() and rng.random() < 0.2:
            due = late  # running late
        else:
            due = max(due, (now + timedelta(days=rng.randint(7, 45))).date())
    action = Action(
        team=team,
        title=title,
        dimension=dimension,
        source_round=source_round,
        current_condition=current,
        target_condition=target,
        root_cause=cause,
        countermeasure=countermeasure,
        owner=owner,
        due_date=due,
        stage=final,
        stage_changed_at=moves[-1][1],
        outcome=(
            "The numbers moved; we keep the new way and check it again next round."
            if final == flow.DONE
            else ("We stopped: a reorganisation made the problem go away." if final == flow.DROPPED else "")
        ),
        created_at=start,
        created_by=owner,
    )
    cycles = {flow.PLAN: 0, flow.DO: 1, flow.CHECK: 2, flow.ACT: 2, flow.DONE: 3, flow.DROPPED: 1}[final]
    return action, moves, cycles
