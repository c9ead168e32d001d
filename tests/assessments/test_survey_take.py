"""Taking a survey: draft, submit, edit, missing answers kept, closed rounds, outsiders."""

import pytest

from assessments.models import Answer, Participation, Question, Response
from tests.factories import make_model, make_round


def url(round_, team):
    return f"/surveys/{round_.pk}/{team.slug}/"


def post_data(round_, tokens, action="submit", comments=None):
    questions = Question.objects.filter(dimension__model=round_.model).order_by("dimension__order", "order")
    data = {f"q{q.pk}": token for q, token in zip(questions, tokens, strict=True) if token is not None}
    data.update(comments or {})
    data["action"] = action
    return data


def test_member_sees_questions_grouped_by_dimension(client_for, member, open_round, team):
    response = client_for(member).get(url(open_round, team))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Dimension 1" in content and "Dimension 2" in content
    assert "Question 2.2" in content
    assert "0</span> of 4 questions answered" in content
    assert 'value="dk"' in content and 'value="na"' in content
    assert 'name="action" value="draft"' in content


def test_draft_saves_and_comes_back_prefilled(client_for, member, open_round, team):
    client = client_for(member)
    response = client.post(
        url(open_round, team), post_data(open_round, ["4", None, "dk", None], action="draft")
    )
    assert response.status_code == 302
    assert Response.objects.get().status == "draft"
    assert not Participation.objects.exists()
    page = client.get(url(open_round, team)).content.decode()
    assert "2</span> of 4 questions answered" in page
    assert page.count("checked") == 2


def test_submit_records_participation_and_lands_home(client_for, member, open_round, team):
    client = client_for(member)
    response = client.post(url(open_round, team), post_data(open_round, ["4", "2", "dk", "na"]), follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "Your answers for Checkout are in" in response.content.decode()
    stored = Response.objects.get()
    assert stored.status == "submitted"
    assert set(Answer.objects.values_list("value", "special")) == {
        (4, ""),
        (2, ""),
        (None, "dk"),
        (None, "na"),
    }
    assert Participation.objects.filter(user=member, round=open_round, team=team).count() == 1


def test_member_can_change_answers_until_close(client_for, member, open_round, team):
    client = client_for(member)
    client.post(url(open_round, team), post_data(open_round, ["4", "2", "3", "3"]))
    client.post(url(open_round, team), post_data(open_round, ["1", "1", "1", "1"]))
    assert Response.objects.count() == 1
    assert set(Answer.objects.values_list("value", flat=True)) == {1}
    assert Participation.objects.count() == 1
    assert "You have sent your answers" in client.get(url(open_round, team)).content.decode()


def test_a_draft_posted_after_a_submit_keeps_the_submitted_answers(client_for, member, open_round, team):
    client = client_for(member)
    client.post(url(open_round, team), post_data(open_round, ["4", "2", "dk", "na"]))
    # An old tab: "Save draft" with nothing (or a few things) answered.
    page = client.post(
        url(open_round, team), post_data(open_round, [None, "1", None, None], action="draft"), follow=True
    )
    assert "this draft was not saved: what you sent stays as it was" in page.content.decode()
    stored = Response.objects.get()
    assert stored.status == "submitted"
    assert set(Answer.objects.values_list("value", "special")) == {
        (4, ""),
        (2, ""),
        (None, "dk"),
        (None, "na"),
    }
    assert Participation.objects.count() == 1


def test_a_submitted_survey_offers_no_draft_button(client_for, member, open_round, team):
    client = client_for(member)
    client.post(url(open_round, team), post_data(open_round, ["4", "2", "dk", "na"]))
    page = client.get(url(open_round, team)).content.decode()
    assert 'value="draft"' not in page
    assert "what you sent stays as it is until a complete submit replaces it" in page
    # A failed re-submit does not offer it either.
    page = client.post(url(open_round, team), post_data(open_round, ["4", None, None, None])).content.decode()
    assert 'value="draft"' not in page


def test_the_service_refuses_a_submit_without_every_answer(member, open_round, team):
    from assessments.services import IncompleteSubmit, response_save

    first = Question.objects.filter(dimension__model=open_round.model).first()
    with pytest.raises(IncompleteSubmit):
        response_save(
            round=open_round, team=team, user=member, answers={first.pk: "3"}, comments={}, submit=True
        )
    assert not Response.objects.exists() and not Participation.objects.exists()


def test_the_service_refuses_an_answer_to_a_question_of_another_model(member, open_round, team):
    from assessments.services import UnknownQuestion, response_save

    foreign = make_model(name="Another").dimensions.first().questions.first()
    with pytest.raises(UnknownQuestion):
        response_save(
            round=open_round, team=team, user=member, answers={foreign.pk: "3"}, comments={}, submit=False
        )
    assert not Response.objects.exists()


def test_submit_with_missing_answers_keeps_the_given_ones_and_writes_nothing(
    client_for, member, open_round, team
):
    client = client_for(member)
    data = post_data(open_round, ["5", None, "dk", None], comments={})
    dimension = open_round.model.dimensions.get(key="dim-1")
    data[f"c{dimension.pk}"] = "keep this comment"
    response = client.post(url(open_round, team), data)
    assert response.status_code == 400
    content = response.content.decode()
    assert "2 questions still need an answer" in content
    assert content.count("question-missing") == 2
    assert content.count("checked") == 2
    assert "keep this comment" in content
    assert not Response.objects.exists() and not Participation.objects.exists()


def test_out_of_range_value_is_refused(client_for, member, open_round, team):
    response = client_for(member).post(url(open_round, team), post_data(open_round, ["9", "1", "1", "1"]))
    assert response.status_code == 400
    assert not Response.objects.exists()


@pytest.mark.parametrize("value", ["99", "abc", "0", "-1"])
@pytest.mark.parametrize("action", ["submit", "draft"])
def test_invalid_value_is_called_invalid_not_unanswered(client_for, member, open_round, team, value, action):
    data = post_data(open_round, [value, "1", "1", "1"], action=action)
    response = client_for(member).post(url(open_round, team), data)
    assert response.status_code == 400
    content = response.content.decode()
    assert "1 answer is not one of the choices. Nothing was sent" in content
    assert "That is not one of the choices: pick a point of the scale" in content
    assert "need an answer" not in content and "Please answer this question" not in content
    assert content.count("question-invalid") == 1 and "question-missing" not in content
    [field] = [name for name in response.context["form"].errors]
    assert response.context["invalid"] == [field] and response.context["missing"] == []
    assert "0 of 4 questions answered" not in content and "3</span> of 4 questions answered" in content
    assert not Response.objects.exists() and not Participation.objects.exists()


def test_invalid_and_unanswered_questions_are_counted_apart(client_for, member, open_round, team):
    response = client_for(member).post(url(open_round, team), post_data(open_round, ["99", "abc", None, "1"]))
    assert response.status_code == 400
    content = response.content.decode()
    assert "1 question still needs an answer. 2 answers are not one of the choices." in content
    assert content.count("Please answer this question") == 1
    assert content.count("That is not one of the choices") == 2
    assert content.count("question-missing") == 1 and content.count("question-invalid") == 2
    assert len(response.context["missing"]) == 1 and len(response.context["invalid"]) == 2
    assert not Response.objects.exists()


def test_upcoming_round_says_when_it_opens(client_for, member, small_model, team):
    round_ = make_round(model=small_model, teams=[team], state="upcoming")
    response = client_for(member).get(url(round_, team))
    assert "This survey opens on" in response.content.decode()


def test_closed_round_refuses_answers(client_for, member, small_model, team):
    round_ = make_round(model=small_model, teams=[team], state="past")
    client = client_for(member)
    response = client.post(url(round_, team), post_data(round_, ["4"] * 4), follow=True)
    assert "This round is not open, so nothing was saved" in response.content.decode()
    assert not Response.objects.exists()


def test_round_closed_while_the_answers_were_on_their_way_saves_nothing(
    client_for, member, open_round, team, monkeypatch
):
    # The page saw the round open; by the time the answers are saved, a close has committed.
    from assessments.services import responses

    monkeypatch.setattr(responses, "_still_open", lambda round: False)
    response = client_for(member).post(url(open_round, team), post_data(open_round, ["4", "4", "4", "4"]))
    assert response.status_code == 200
    assert "nothing was saved" in response.content.decode()
    assert not Response.objects.exists() and not Participation.objects.exists()


@pytest.mark.parametrize("persona", ["outsider", "manager", "staff"])
def test_non_members_get_404(persona, request, open_round, team, client_for):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(url(open_round, team)).status_code == 404
    assert client_for(user).post(url(open_round, team), post_data(open_round, ["4"] * 4)).status_code == 404
    assert not Response.objects.exists()


def test_round_not_covering_the_team_is_404(client_for, member, small_model, other_team, team):
    round_ = make_round(model=small_model, teams=[other_team])
    assert client_for(member).get(url(round_, team)).status_code == 404


def test_wrong_method_is_405(client_for, member, open_round, team):
    assert client_for(member).put(url(open_round, team)).status_code == 405


def test_anonymous_is_sent_to_login(client, open_round, team):
    assert client.get(url(open_round, team)).status_code == 302


def test_member_of_two_teams_answers_once_per_team(client_for, member, small_model, team, other_team):
    from tests.factories import MembershipFactory

    MembershipFactory(user=member, team=other_team)
    round_ = make_round(model=small_model, teams=[team, other_team])
    client = client_for(member)
    listing = client.get("/surveys/").content.decode()
    assert listing.count("Take the survey") == 2
    client.post(url(round_, team), post_data(round_, ["4"] * 4))
    client.post(url(round_, other_team), post_data(round_, ["2"] * 4))
    assert Response.objects.filter(status="submitted").count() == 2
    listing = client.get("/surveys/").content.decode()
    assert listing.count("Take the survey") == 0 and listing.count("Answered") == 2


def test_survey_page_and_submit_query_counts_on_the_default_model(
    client_for, member, team, default_model, django_assert_max_num_queries
):
    model = default_model
    round_ = make_round(model=model, teams=[team])
    client = client_for(member)
    with django_assert_max_num_queries(15):
        assert client.get(url(round_, team)).status_code == 200
    data = post_data(round_, ["5"] * Question.objects.filter(dimension__model=model).count())
    with django_assert_max_num_queries(15):
        assert client.post(url(round_, team), data).status_code == 302
    with django_assert_max_num_queries(15):
        assert client.get(url(round_, team)).status_code == 200


def test_the_survey_shows_questions_never_how_they_are_scored(client_for, member, team, default_model):
    """DORA's guidance: the culture items come together, and nothing names a construct or a scoring."""
    round_ = make_round(model=default_model, teams=[team])
    page = client_for(member).get(url(round_, team)).content.decode()
    assert "When something fails, people here first ask who is to blame." in page
    for hint in ("Westrum", "everse", "scored", "generative", "weaker answer", "trained, not shot"):
        assert hint not in page, hint
    assert "About how people in your team and the wider organisation work together." in page


@pytest.mark.parametrize(
    ("model_name", "announced"), [("full", "About 6–8 minutes."), ("pulse", "About 2 minutes.")]
)
def test_the_announced_time_follows_from_the_surveys_length(client_for, member, team, model_name, announced):
    from assessments.services import default_model_ensure, pulse_model_ensure

    model = default_model_ensure() if model_name == "full" else pulse_model_ensure()
    round_ = make_round(model=model, teams=[team])
    page = client_for(member).get(url(round_, team)).content.decode()
    assert announced in page and "five minutes" not in page


def test_survey_list_is_empty_with_guidance(client_for, member):
    assert "No survey is open for your teams" in client_for(member).get("/surveys/").content.decode()


def test_five_point_model_offers_five_points(client_for, member, team):
    round_ = make_round(model=make_model(points=5, name="Five"), teams=[team])
    content = client_for(member).get(url(round_, team)).content.decode()
    assert 'value="5"' in content and 'value="6"' not in content
