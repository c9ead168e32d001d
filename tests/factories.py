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
