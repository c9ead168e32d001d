import factory
from django.contrib.auth import get_user_model

from teams.models import Group, GroupLead, Membership, Team

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password(PASSWORD)


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    name = factory.Sequence(lambda n: f"Group {n}")
    slug = factory.Sequence(lambda n: f"group-{n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    group = factory.SubFactory(GroupFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    role = Membership.Role.MEMBER


class GroupLeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupLead

    user = factory.SubFactory(UserFactory)
    group = factory.SubFactory(GroupFactory)


# --- assessments ---------------------------------------------------------------------------


def make_model(
    *, points: int = 5, dimensions: int = 2, questions: int = 2, reverse_last: bool = True, name="Small"
):
    """A small published model: `dimensions` × `questions`, the last question of each reverse-scored."""
    from assessments.models import Dimension, MaturityModel, Question

    model = MaturityModel.objects.create(
        name=name,
        version=MaturityModel.objects.filter(name=name).count() + 1,
        published=True,
        scale_points=points,
        scale_labels=[f"label {p}" for p in range(1, points + 1)],
    )
    for d in range(1, dimensions + 1):
        dimension = Dimension.objects.create(model=model, key=f"dim-{d}", name=f"Dimension {d}", order=d)
        for q in range(1, questions + 1):
            Question.objects.create(
                dimension=dimension,
                key=f"dim-{d}-q{q}",
                text=f"Question {d}.{q}",
                order=q,
                reverse=reverse_last and q == questions,
            )
    return model


def make_round(*, model, teams, state: str = "open", k: int = 3, k_detail: int = 5, name: str = "Round"):
    """A round that is open now, upcoming, or past its date (not yet closed by the service)."""
    from datetime import timedelta

    from django.utils import timezone

    from assessments.models import Round

    now = timezone.now()
    opens, closes = {
        "open": (now - timedelta(days=1), now + timedelta(days=7)),
        "upcoming": (now + timedelta(days=1), now + timedelta(days=8)),
        "past": (now - timedelta(days=10), now - timedelta(days=1)),
    }[state]
    round_ = Round.objects.create(
        name=name, model=model, opens_at=opens, closes_at=closes, k=k, k_detail=k_detail
    )
    round_.teams.set(teams)
    return round_


def answer_all(round_, team, user, value="3", *, submit=True, comments=None):
    """Answer every question of the round's model with the same token, through the service."""
    from unittest import mock

    from assessments.models import Question
    from assessments.services import response_save

    answers = {q.pk: value for q in Question.objects.filter(dimension__model=round_.model)}
    if round_.is_open:
        return response_save(
            round=round_, team=team, user=user, answers=answers, comments=comments or {}, submit=submit
        )
    # Past rounds: answer as if it were still open.
    with mock.patch.object(type(round_), "is_open", new_callable=mock.PropertyMock, return_value=True):
        return response_save(
            round=round_, team=team, user=user, answers=answers, comments=comments or {}, submit=submit
        )


def make_scored_history(*, model, teams, rounds: int, hidden=frozenset(), start=None):
    """Closed rounds with stored aggregates only (what dashboards read), for many teams, in bulk.

    Team t in round r gets index 30 + t + 2r in every dimension (each dimension adds its order),
    so numbers are predictable; (team slug, round number) pairs in ``hidden`` are below k.
    """
    from datetime import timedelta

    from django.utils import timezone

    from assessments import scoring
    from assessments.models import DimensionScore, Round, TeamScore

    start = start or timezone.now() - timedelta(days=91 * rounds + 30)
    dimensions = list(model.dimensions.order_by("order"))
    points = model.scale_points
    created = []
    for r in range(rounds):
        opens = start + timedelta(days=91 * r)
        round_ = Round.objects.create(
            name=f"R{r + 1:02d}", model=model, opens_at=opens, closes_at=opens + timedelta(days=14)
        )
        Round.objects.filter(pk=round_.pk).update(closed_at=round_.closes_at, scored_at=round_.closes_at)
        round_.refresh_from_db()
        round_.teams.set(teams)
        created.append(round_)
        team_scores, dimension_scores = [], []
        for t, team in enumerate(teams):
            if (team.slug, r + 1) in hidden:
                team_scores.append(TeamScore(round=round_, team=team, responses=2, invited=6, hidden=True))
                continue
            indexes = [min(100.0, 30.0 + t + 2 * r + d.order) for d in dimensions]
            for dimension, index in zip(dimensions, indexes, strict=True):
                dimension_scores.append(
                    DimensionScore(
                        round=round_,
                        team=team,
                        dimension=dimension,
                        dimension_key=dimension.key,
                        mean=1 + index / 100 * (points - 1),
                        index=index,
                        stdev=0.8,
                        agreement=0.82,
                        level=scoring.level(index),
                        responses=5,
                        answers=10,
                        dont_know=0,
                        not_applicable=0,
                    )
                )
            overall = sum(indexes) / len(indexes)
            team_scores.append(
                TeamScore(
                    round=round_,
                    team=team,
                    responses=5,
                    invited=6,
                    hidden=False,
                    mean=1 + overall / 100 * (points - 1),
                    index=overall,
                    level=scoring.level(overall),
                )
            )
        TeamScore.objects.bulk_create(team_scores)
        DimensionScore.objects.bulk_create(dimension_scores)
    return created
