"""/teams/<slug>/review/: the team's meeting after a close, from results to actions."""

import pytest

from assessments.models import Question
from assessments.services import response_save, round_close
from improvements.models import Action, TeamReview
from tests.factories import MembershipFactory, make_model, make_round


@pytest.fixture
def model(db):
    return make_model(points=5, reverse_last=False)


def close_with(model, team, rows: list[dict[str, str]], *, name: str, comment=None, k_detail=5):
    """A round of ``team`` where each row answers dim-1 and dim-2 with its own tokens, then closed."""
    round_ = make_round(model=model, teams=[team], k=3, k_detail=k_detail, name=name)
    questions = {q.key: q.pk for q in Question.objects.filter(dimension__model=model)}
    dimension = model.dimensions.get(key="dim-2")
    for n, row in enumerate(rows):
        user = MembershipFactory(team=team).user
        answers = {questions[key]: token for key, token in row.items()}
        comments = {dimension.pk: f"{comment} {n}"} if comment else {}
        response_save(round=round_, team=team, user=user, answers=answers, comments=comments, submit=True)
    return round_close(round=round_)


def rows(dim1: str, dim2: str, n: int = 5) -> list[dict[str, str]]:
    return [{"dim-1-q1": dim1, "dim-1-q2": dim1, "dim-2-q1": dim2, "dim-2-q2": dim2} for _ in range(n)]


@pytest.fixture
def rounds(model, team):
    first = close_with(model, team, rows("4", "2"), name="Q1")
    second = close_with(model, team, rows("4", "3"), name="Q2", comment="Deploys wait for a window")
    return first, second


def url(team, round_=None):
    return f"/teams/{team.slug}/review/" + (f"?round={round_.pk}" if round_ else "")


def test_the_weakest_dimension_leads_with_its_answers_and_comments(client_for, member, team, rounds):
    response = client_for(member).get(url(team))
    assert response.status_code == 200
    dimensions = response.context["dimensions"]
    assert [item.row.key for item in dimensions] == ["dim-2", "dim-1"]  # index 50 before 75
    weakest = dimensions[0]
    assert weakest.chart is not None and len(weakest.questions) == 2
    assert sorted(weakest.comments) == [f"Deploys wait for a window {n}" for n in range(5)]
    content = response.content.decode()
    assert content.index("Dimension 2") < content.index("Dimension 1")
    assert "Deploys wait for a window 3" in content


def test_details_stay_hidden_below_k_detail(client_for, member, team, model):
    close_with(model, team, rows("4", "3", n=3), name="Small", comment="Only three of us")
    response = client_for(member).get(url(team))
    assert all(
        not item.questions and item.chart is None and not item.comments
        for item in response.context["dimensions"]
    )
    content = response.content.decode()
    assert "Only three of us" not in content
    assert "Answers per question and comments show only when at least 5 people" in content


def test_a_hidden_round_shows_no_number_and_still_takes_notes(client_for, member, team, model):
    close_with(model, team, rows("4", "3", n=2), name="Thin")
    response = client_for(member).get(url(team))
    assert response.status_code == 200
    assert response.context["dimensions"] == []
    content = response.content.decode()
    assert "the results of this round stay hidden" in content and 'name="notes"' in content


def test_last_rounds_actions_show_whether_they_moved_the_needle(client_for, member, team, model, rounds):
    first, _second = rounds
    dimension = model.dimensions.get(key="dim-2")
    Action.objects.create(team=team, title="Deploy on demand", dimension=dimension, source_round=first)
    effects = client_for(member).get(url(team)).context["effects"]
    (effect,) = effects
    assert (effect.before, effect.after, effect.change) == (25.0, 50.0, 25.0)


def test_the_team_records_its_focus_notes_and_decisions(client_for, member, team, rounds):
    _first, second = rounds
    response = client_for(member).post(
        url(team, second),
        {
            "form": "review",
            "votes-dim-1": "1",
            "votes-dim-2": "4",
            "focus": ["dim-2"],
            "notes": "Releases wait for the Thursday window.",
            "decisions": "Try deploying on demand for a month.",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0].endswith(f"?round={second.pk}#focus")
    review = TeamReview.objects.get(team=team, round=second)
    assert (review.votes, review.focus, review.decisions) == (
        {"dim-1": 1, "dim-2": 4},
        ["dim-2"],
        "Try deploying on demand for a month.",
    )
    assert review.updated_by == member
    content = response.content.decode()
    assert "Releases wait for the Thursday window." in content and "Dimension 2 4" in content


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"focus": ["dim-1", "dim-2", "nope"]}, "focus"),
        ({"votes-dim-1": "99"}, "votes-dim-1"),
        ({"votes-dim-1": "-1"}, "votes-dim-1"),
    ],
)
def test_bad_review_input_is_refused_with_the_field_marked(client_for, member, team, rounds, change, field):
    response = client_for(member).post(url(team), {"form": "review", **change})
    assert response.status_code == 400
    assert response.context["review_form"].errors[field]
    assert not TeamReview.objects.exists()


def test_more_than_two_focus_dimensions_are_refused(client_for, member, team, model):
    from tests.factories import make_model as another

    wide = another(points=5, dimensions=3, name="Wide")
    round_ = make_round(model=wide, teams=[team], k=3)
    questions = list(Question.objects.filter(dimension__model=wide).values_list("pk", flat=True))
    for _ in range(3):
        user = MembershipFactory(team=team).user
        response_save(
            round=round_,
            team=team,
            user=user,
            answers=dict.fromkeys(questions, "3"),
            comments={},
            submit=True,
        )
    round_close(round=round_)
    response = client_for(member).post(url(team), {"form": "review", "focus": ["dim-1", "dim-2", "dim-3"]})
    assert response.status_code == 400
    assert "at most 2" in str(response.context["review_form"].errors["focus"])


def test_an_action_started_on_the_page_comes_from_this_round(client_for, member, team, model, rounds):
    _first, second = rounds
    dimension = model.dimensions.get(key="dim-2")
    response = client_for(member).post(
        url(team, second),
        {
            "form": "action",
            "action-title": "Deploy on demand",
            "action-owner": member.pk,
            "action-dimension": dimension.pk,
            "action-source_round": second.pk,
        },
        follow=True,
    )
    action = Action.objects.get()
    assert (action.title, action.stage, action.source_round, action.dimension) == (
        "Deploy on demand",
        "plan",
        second,
        dimension,
    )
    assert "Deploy on demand" in response.content.decode()
    assert response.redirect_chain[-1][0].endswith("#actions")


def test_the_action_form_is_prefilled_with_the_focus(client_for, member, team, model, rounds):
    _first, second = rounds
    TeamReview.objects.create(team=team, round=second, focus=["dim-2"])
    form = client_for(member).get(url(team, second)).context["action_form"]
    assert form.initial["dimension"] == model.dimensions.get(key="dim-2").pk
    assert form.initial["source_round"] == second.pk


def test_managers_read_but_do_not_write_and_outsiders_get_404(client_for, manager, outsider, team, rounds):
    assert client_for(manager).get(url(team)).status_code == 200
    assert client_for(manager).post(url(team), {"form": "review", "notes": "x"}).status_code == 403
    assert client_for(outsider).get(url(team)).status_code == 404
    assert client_for(outsider).post(url(team), {"form": "review"}).status_code == 404
    assert not TeamReview.objects.exists()


def test_head_answers_and_other_methods_are_405(client_for, member, team, rounds):
    client = client_for(member)
    assert client.head(url(team)).status_code == 200
    assert client.put(url(team)).status_code == 405


def test_no_closed_round_says_what_comes_next(client_for, member, team):
    content = client_for(member).get(url(team)).content.decode()
    assert "No closed round yet" in content


def test_linked_from_the_team_dashboard_and_the_closed_round(client_for, lead, team, rounds):
    _first, second = rounds
    assert (
        f"/teams/checkout/review/?round={second.pk}"
        in client_for(lead).get("/teams/checkout/").content.decode()
    )
    assert (
        f"/teams/checkout/review/?round={second.pk}"
        in client_for(lead).get(f"/rounds/{second.pk}/").content.decode()
    )


def test_review_query_count(client_for, member, team, model, rounds, django_assert_max_num_queries):
    first, _second = rounds
    for n in range(5):
        Action.objects.create(
            team=team, title=f"A{n}", dimension=model.dimensions.first(), source_round=first
        )
    client = client_for(member)
    with django_assert_max_num_queries(20):
        assert client.get(url(team)).status_code == 200


def test_posting_a_review_before_any_close_saves_nothing_and_says_why(client_for, member, team):
    response = client_for(member).post(url(team), {"form": "review", "notes": "too early"})
    assert response.status_code == 400
    assert "There is no closed round to review yet" in response.content.decode()
    assert not TeamReview.objects.exists()


def test_weakest_agreement_first_puts_the_split_dimension_on_top(client_for, member, team, model):
    # dim-1 scores lower (everyone at 3) but all agree; dim-2 scores higher, split between 1 and 5.
    split = [
        {"dim-1-q1": "3", "dim-1-q2": "3", "dim-2-q1": value, "dim-2-q2": value}
        for value in ("1", "5", "5", "1", "5", "5")
    ]
    round_ = close_with(model, team, split, name="Q3")
    client = client_for(member)
    by_index = client.get(url(team, round_))
    assert [item.row.key for item in by_index.context["dimensions"]] == ["dim-1", "dim-2"]
    by_agreement = client.get(url(team, round_) + "&order=agreement")
    assert [item.row.key for item in by_agreement.context["dimensions"]] == ["dim-2", "dim-1"]
    content = by_agreement.content.decode()
    assert "weakest agreement first" in content
    assert "the team sees this differently — talk about it" in content
    assert "nearly everyone sees it alike" in content
    # An unknown order falls back to the weakest index.
    odd = client.get(url(team, round_) + "&order=nonsense")
    assert [item.row.key for item in odd.context["dimensions"]] == ["dim-1", "dim-2"]
