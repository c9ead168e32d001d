"""The first results view on /teams/<slug>/: scores at k, details at k_detail, 404 for outsiders."""

import pytest

from assessments.models import Question
from assessments.services import round_close
from tests.factories import MembershipFactory, answer_all, make_model, make_round, make_scored_history


def response_results(client):
    return client.get("/teams/checkout/").context["results"]


@pytest.fixture
def model(db):
    return make_model(points=5)


def closed_round_with(model, team, answers: list[str], *, k=3, k_detail=5, comments=None, name="Round"):
    round_ = make_round(model=model, teams=[team], k=k, k_detail=k_detail, name=name)
    for i, value in enumerate(answers):
        user = MembershipFactory(team=team).user
        answer_all(round_, team, user, value, comments=comments(i) if comments else None)
    return round_close(round=round_)


def test_closed_round_shows_scores_index_level_and_counts(client_for, member, team, model):
    closed_round_with(model, team, ["4", "4", "4"])
    content = client_for(member).get("/teams/checkout/").content.decode()
    # Every answer 4 on a 5-point scale; the reverse items count as 2. Dimension mean 3.00, index 50.
    assert "3.00" in content and ">50<" in content
    assert "Level 3" in content
    assert "3 responses of" in content


def test_below_k_shows_the_count_and_nothing_else(client_for, member, team, model):
    closed_round_with(model, team, ["5", "5"])
    content = client_for(member).get("/teams/checkout/").content.decode()
    assert "2 responses came in. Results stay hidden below 3 responses" in content
    assert "Level 5" not in content and "5.00" not in content and "Dimensions" not in content
    assert not response_results(client_for(member)).dimensions


def test_comments_only_at_k_detail(client_for, member, team, model):
    dimension = model.dimensions.get(key="dim-1")
    closed_round_with(
        model, team, ["4"] * 4, comments=lambda i: {dimension.pk: f"secret remark {i}"}, name="A"
    )
    content = client_for(member).get("/teams/checkout/").content.decode()
    assert "secret remark" not in content
    assert "Comments and answer distributions show from 5 responses" in content
    closed_round_with(model, team, ["4"] * 5, comments=lambda i: {dimension.pk: f"open remark {i}"}, name="B")
    content = client_for(member).get("/teams/checkout/").content.decode()
    assert content.count("open remark") == 5
    assert "secret remark" not in content


def test_open_round_results_are_not_shown_before_close(client_for, member, team, model):
    round_ = make_round(model=model, teams=[team], name="Live")
    for _ in range(3):
        answer_all(round_, team, MembershipFactory(team=team).user, "5")
    content = client_for(member).get("/teams/checkout/").content.decode()
    assert "Round “Live” is open" in content
    assert "Level 5" not in content
    assert response_results(client_for(member)).round is None


def test_a_round_past_its_date_says_its_results_follow_until_the_worker_scores_it(
    client_for, member, team, model
):
    from django.core.management import call_command

    round_ = make_round(model=model, teams=[team], state="past")
    for _ in range(3):
        answer_all(round_, team, MembershipFactory(team=team).user, "4")
    content = client_for(member).get("/teams/checkout/").content.decode()
    assert "its results are being computed and show here in a few minutes" in content
    assert "Level 3" not in content
    round_.refresh_from_db()
    assert round_.scored_at is None  # a page view scores nothing
    call_command("worker", "--batch")
    assert "Level 3" in client_for(member).get("/teams/checkout/").content.decode()


@pytest.mark.parametrize("persona", ["member", "lead", "manager", "staff"])
def test_team_people_see_the_dashboard(persona, request, client_for, team):
    assert client_for(request.getfixturevalue(persona)).get("/teams/checkout/").status_code == 200


def test_outsider_gets_404(client_for, outsider, team):
    assert client_for(outsider).get("/teams/checkout/").status_code == 404


def test_post_is_405(client_for, member, team):
    assert client_for(member).post("/teams/checkout/").status_code == 405


def test_guides_when_no_round_closed(client_for, member, team):
    assert "No closed round yet" in client_for(member).get("/teams/checkout/").content.decode()


def test_query_count_does_not_grow_with_rounds(
    client_for, member, team, model, django_assert_max_num_queries
):
    for i in range(6):
        closed_round_with(model, team, ["4"] * 5, name=f"R{i}")
    client = client_for(member)
    # 21 with the team's delivery rules (read once when the keys are computed).
    with django_assert_max_num_queries(21):
        assert client.get("/teams/checkout/").status_code == 200


@pytest.fixture
def history(model, team, other_team):
    return make_scored_history(model=model, teams=[team, other_team], rounds=3)


def test_overall_delta_and_dimension_deltas(client_for, member, history):
    results = response_results(client_for(member))
    assert results.round.name == "R03"
    assert results.overall_delta == pytest.approx(2.0)
    assert [(row.key, row.index, row.delta) for row in results.dimensions] == [
        ("dim-1", 35, 2),
        ("dim-2", 36, 2),
    ]


def test_round_parameter_selects_an_earlier_round(client_for, member, history):
    results = client_for(member).get(f"/teams/checkout/?round={history[0].pk}").context["results"]
    assert results.round == history[0] and results.overall_delta is None


def test_radar_has_previous_round_and_org_median(client_for, member, model, team, other_team):
    from tests.factories import TeamFactory

    make_scored_history(model=model, teams=[team, other_team, TeamFactory()], rounds=3)
    content = client_for(member).get("/teams/checkout/").content.decode()
    assert "This round" in content and "Previous round" in content and "Org median" in content
    assert "Index per dimension over rounds" in content


def test_no_org_median_from_fewer_than_k_teams(client_for, member, history):
    """Two teams in the round (k = 3): a "median" would be nearly the other team's own number."""
    response = client_for(member).get("/teams/checkout/")
    assert response.context["results"].org_median == {}
    assert "Org median" not in response.content.decode()


def test_a_one_team_round_has_no_org_median(client_for, member, team, model):
    closed_round_with(model, team, ["4", "4", "4"])
    assert response_results(client_for(member)).org_median == {}


def test_all_dont_know_but_one_hides_the_round_and_says_why(client_for, member, team, model):
    """k = k_detail = 3: one person on the scale, two "don't know" to everything."""
    closed_round_with(model, team, ["4", "dk", "dk"], k=3, k_detail=3)
    response = client_for(member).get("/teams/checkout/")
    assert response.status_code == 200
    results = response.context["results"]
    assert results.hidden and not results.dimensions and not results.questions
    content = response.content.decode()
    assert "fewer than 3 people answered on the scale" in content
    assert "hidden (fewer than 3 on the scale)" in content  # the participation history says why too
    assert "Answers per question" not in content


def test_details_need_k_detail_people_on_the_scale_for_each_question(client_for, member, team, model):
    """k_detail = 5: four "don't know" and one real answer would show that one person's answers."""
    closed_round_with(model, team, ["4", "dk", "dk", "dk", "dk"], k=3, k_detail=5)
    results = response_results(client_for(member))
    assert results.questions == [] and results.strengths() == [] and results.weaknesses() == []


def test_lead_sets_target_levels_and_sees_the_gap(client_for, lead, history):
    client = client_for(lead)
    response = client.post("/teams/checkout/targets/", {"target-dim-1": "4", "target-dim-2": ""}, follow=True)
    assert "Target levels saved" in response.content.decode()
    rows = {row.key: row for row in response.context["results"].dimensions}
    assert rows["dim-1"].target == 4 and rows["dim-1"].gap == 2 and rows["dim-1"].weak
    assert rows["dim-2"].target is None
    assert "2 levels to go" in response.content.decode()


def test_bad_target_is_refused_with_a_message(client_for, lead, history):
    from assessments.models import TargetLevel

    response = client_for(lead).post("/teams/checkout/targets/", {"target-dim-1": "9"}, follow=True)
    assert "were not saved" in response.content.decode()
    assert not TargetLevel.objects.exists()


def test_members_cannot_set_targets_and_outsiders_get_404(client_for, member, outsider, history):
    assert client_for(member).post("/teams/checkout/targets/", {"target-dim-1": "4"}).status_code == 403
    assert client_for(outsider).post("/teams/checkout/targets/", {"target-dim-1": "4"}).status_code == 404
    assert client_for(member).get("/teams/checkout/targets/").status_code == 405


def test_details_strengths_likert_and_westrum_at_k_detail(client_for, member, team, default_model):
    model = default_model
    closed_round_with(model, team, ["6", "6", "5", "7", "6"])
    response = client_for(member).get("/teams/checkout/")
    content = response.content.decode()
    results = response.context["results"]
    assert results.detailed and len(results.questions) == 40
    assert len(results.strengths()) == 3 and len(results.weaknesses()) == 3
    assert "Answer distribution of 40 questions" in content
    index, band, name = results.westrum
    assert band == scoring_band(index) and name == band
    assert "Culture (Westrum)" in content


def test_a_reverse_scored_strength_reads_the_right_way_round(client_for, member, team, default_model):
    """Everyone strongly disagrees that a release needs a change board: a strength, named as one."""
    from assessments.models import Question
    from assessments.services import response_save

    round_ = make_round(model=default_model, teams=[team], k=3, k_detail=3)
    questions = Question.objects.filter(dimension__model=default_model)
    for _ in range(3):
        answers = {q.pk: ("1" if q.key == "change-approval" else "4") for q in questions}
        user = MembershipFactory(team=team).user
        response_save(round=round_, team=team, user=user, answers=answers, comments={}, submit=True)
    round_close(round=round_)
    response = client_for(member).get("/teams/checkout/")
    (top, *_rest) = response.context["results"].strengths()
    assert (top.key, top.label, top.mean) == ("change-approval", "No heavyweight change approval", 7.0)
    content = response.content.decode()
    assert "No heavyweight change approval" in content and "score 7.00 of 7" in content
    assert "counts the other way: disagreeing scores high" in content


def scoring_band(index):
    from assessments.scoring import westrum_band

    return westrum_band(index)


def test_a_pulse_and_a_full_round_join_in_one_trend(client_for, member, team):
    """The pulse asks ten of the full survey's questions, under the same keys: one trend through the index."""
    from assessments.services import default_model_ensure, pulse_model_ensure

    full, pulse = default_model_ensure(), pulse_model_ensure()
    closed_round_with(full, team, ["5"] * 3, name="Quarter")
    closed_round_with(pulse, team, ["6"] * 3, name="Month")
    results = response_results(client_for(member))
    assert results.round.name == "Month" and results.trend_labels == ["Quarter", "Month"]
    assert len(results.dimensions) == 8
    assert all(None not in values for values in results.trend.values())
    assert all(row.delta is not None for row in results.dimensions)


def test_only_weak_agreement_asks_the_team_to_talk(client_for, member, team):
    from assessments.services import response_save

    model = make_model(points=5, reverse_last=False)
    round_ = make_round(model=model, teams=[team], k=3, k_detail=5)
    questions = {q.key: q.pk for q in Question.objects.filter(dimension__model=model)}
    for value in ("1", "5", "1", "5"):
        # dim-1: everyone at 4; dim-2: split between 1 and 5.
        answers = {
            questions["dim-1-q1"]: "4",
            questions["dim-1-q2"]: "4",
            questions["dim-2-q1"]: value,
            questions["dim-2-q2"]: value,
        }
        user = MembershipFactory(team=team).user
        response_save(round=round_, team=team, user=user, answers=answers, comments={}, submit=True)
    round_close(round=round_)
    response = client_for(member).get("/teams/checkout/")
    rows = {row.key: row for row in response.context["results"].dimensions}
    assert rows["dim-1"].agreement_band.key == "very-strong"
    assert rows["dim-2"].agreement_band.key == "weak" and rows["dim-2"].agreement == 0.0
    content = response.content.decode()
    assert content.count("the team sees this differently — talk about it") == 1
    assert "nearly everyone sees it alike" in content
