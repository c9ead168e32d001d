import pytest
from django.urls import reverse

from assessments.models import MaturityModel, Question, TeamScore
from tests.factories import answer_all, make_round


def test_copy_as_new_version(client_for, staff, small_model):
    response = client_for(staff).post(
        reverse("admin:assessments_maturitymodel_changelist"),
        {"action": "copy_as_new_version", "_selected_action": [small_model.pk]},
        follow=True,
    )
    assert "copied as version 2" in response.content.decode()
    copy = MaturityModel.objects.get(name=small_model.name, version=2)
    assert not copy.published
    assert Question.objects.filter(dimension__model=copy).count() == 4


def test_a_model_used_by_a_round_is_read_only(client_for, staff, small_model, team):
    client = client_for(staff)
    url = reverse("admin:assessments_maturitymodel_change", args=[small_model.pk])
    assert b'name="name"' in client.get(url).content
    make_round(model=small_model, teams=[team])
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="name"' not in page.content
    client.post(url, {"name": "Renamed", "version": 1, "scale_points": 5})
    small_model.refresh_from_db()
    assert small_model.name == "Small"


def test_round_admin_freezes_thresholds_once_open(client_for, staff, open_round):
    page = client_for(staff).get(reverse("admin:assessments_round_change", args=[open_round.pk]))
    assert page.status_code == 200
    assert b'name="k"' not in page.content and b'name="k_detail"' not in page.content


def test_close_now_action_scores_the_round(client_for, staff, open_round, team, colleagues):
    for user in colleagues[:3]:
        answer_all(open_round, team, user, "4")
    response = client_for(staff).post(
        reverse("admin:assessments_round_changelist"),
        # The action asks first (test_close_now_action_asks_first): this is the confirmed step.
        {"action": "close_now", "_selected_action": [open_round.pk], "confirm": "yes"},
        follow=True,
    )
    assert "1 round closed and scored" in response.content.decode()
    assert TeamScore.objects.get(round=open_round).responses == 3


def test_aggregates_are_read_only_in_admin(client_for, staff, open_round, team, colleagues):
    from assessments.services import round_close

    for user in colleagues[:3]:
        answer_all(open_round, team, user, "4")
    round_close(round=open_round)
    score = TeamScore.objects.get()
    client = client_for(staff)
    page = client.get(reverse("admin:assessments_teamscore_change", args=[score.pk]))
    assert page.status_code == 200 and b'name="responses"' not in page.content
    assert client.get(reverse("admin:assessments_teamscore_add")).status_code == 403


def test_close_now_action_asks_first_and_closes_nothing(client_for, staff, open_round):
    response = client_for(staff).post(
        reverse("admin:assessments_round_changelist"),
        {"action": "close_now", "_selected_action": [open_round.pk]},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "cannot be undone" in content and "drafts that were saved but not submitted are dropped" in content
    assert 'name="confirm" value="yes"' in content and f'value="{open_round.pk}"' in content
    open_round.refresh_from_db()
    assert open_round.is_open and open_round.scored_at is None


def test_a_closed_round_in_the_admin_says_closed_at(client_for, staff, open_round):
    from assessments.services import round_close

    round_close(round=open_round)
    client = client_for(staff)
    change = client.get(reverse("admin:assessments_round_change", args=[open_round.pk])).content.decode()
    listing = client.get(reverse("admin:assessments_round_changelist")).content.decode()
    for content in (change, listing):
        assert "Closed at " in content and "Closes at " not in content


def test_an_open_round_in_the_admin_says_closes_at(client_for, staff, open_round):
    listing = client_for(staff).get(reverse("admin:assessments_round_changelist")).content.decode()
    assert "Closes at " in listing


# --- the scale and the level bands, edited input by input ------------------------------------


def _model_form_data(**overrides):
    data = {"name": "Fresh", "version": "1", "description": "", "published": "on", "scale_points": "5"}
    for n, label in enumerate(["Never", "Rarely", "Sometimes", "Often", "Always"]):
        data[f"scale_labels_{n}"] = label
    for n, (name, bound) in enumerate([("Initial", 0), ("Managed", 20), ("Defined", 40), ("Measured", 60)]):
        data[f"levels_{2 * n}"], data[f"levels_{2 * n + 1}"] = name, str(bound)
    data["levels_8"], data["levels_9"] = "Optimising", "80"
    data.update({"dimensions-TOTAL_FORMS": "0", "dimensions-INITIAL_FORMS": "0"})
    data.update(overrides)
    return data


def test_model_admin_edits_scale_labels_and_levels_one_input_each(client_for, staff):
    from assessments.models import MaturityModel

    client = client_for(staff)
    page = client.get(reverse("admin:assessments_maturitymodel_add")).content.decode()
    assert 'name="scale_labels_0"' in page and 'name="scale_labels_10"' in page
    assert 'name="levels_0"' in page and 'name="levels_9"' in page
    assert '<textarea name="scale_labels"' not in page and '<textarea name="levels"' not in page
    assert "<label" in page and "Point 1</label>" in page and "Level 5: from index</label>" in page
    response = client.post(reverse("admin:assessments_maturitymodel_add"), _model_form_data())
    assert response.status_code == 302, response.content.decode()[:3000]
    model = MaturityModel.objects.get(name="Fresh")
    assert model.scale_labels == ["Never", "Rarely", "Sometimes", "Often", "Always"]
    assert [band["min_index"] for band in model.levels] == [0, 20, 40, 60, 80]
    assert model.levels[4] == {"level": 5, "name": "Optimising", "min_index": 80}
    edit = client.get(reverse("admin:assessments_maturitymodel_change", args=[model.pk])).content.decode()
    assert 'value="Sometimes"' in edit and 'value="Optimising"' in edit


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"scale_labels_4": ""}, "Give one label for each point of the scale."),  # 4 labels, 5 points
        ({"scale_labels_2": ""}, "Fill the points in order, without a gap."),
        ({"levels_5": "10"}, "Give five levels whose lowest index bounds rise from 0"),  # 0, 20, 10, …
        ({"levels_8": ""}, "Give each of the five levels a name and its lowest index."),
    ],
)
def test_model_admin_says_what_is_wrong_with_the_scale_and_bands(client_for, staff, overrides, message):
    from assessments.models import MaturityModel

    response = client_for(staff).post(
        reverse("admin:assessments_maturitymodel_add"), _model_form_data(**overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not MaturityModel.objects.filter(name="Fresh").exists()


def test_admin_tells_team_groups_from_sign_in_groups(client_for, staff):
    content = client_for(staff).get(reverse("admin:index")).content.decode()
    assert "Team groups (departments)" in content
    assert content.count(">Groups<") == 1  # Django's own, for permissions


def close_with_reliability(model, team, rows):
    from assessments.services import response_save, round_close
    from tests.factories import MembershipFactory

    round_ = make_round(model=model, teams=[team], name="2026 Q3")
    questions = list(Question.objects.filter(dimension__model=model).order_by("dimension__order", "order"))
    for tokens in rows:
        user = MembershipFactory(team=team).user
        answers = dict(zip([q.pk for q in questions], tokens, strict=True))
        response_save(round=round_, team=team, user=user, answers=answers, comments={}, submit=True)
    return round_close(round=round_)


# dim-1's two questions move together; in dim-2 the second runs against the first.
RELIABILITY_ROWS = [
    ["5", "1", "5", "5"],
    ["4", "2", "4", "4"],
    ["2", "4", "2", "3"],
    ["1", "5", "1", "1"],
]


def test_model_page_shows_alpha_and_marks_the_questions_that_pull_down(
    client_for, staff, small_model, team, django_assert_max_num_queries
):
    close_with_reliability(small_model, team, RELIABILITY_ROWS)
    client = client_for(staff)
    url = reverse("admin:assessments_maturitymodel_change", args=[small_model.pk])
    with django_assert_max_num_queries(12):
        page = client.get(url)
    content = page.content.decode()
    assert "Is the instrument any good?" in content and "2026 Q3" in content
    assert "Cronbach" in content and "item-rest" in content
    # dim-1 values used: (5,5) (4,4) (2,2) (1,1): alpha 1.00. dim-2: (5,1) (4,2) (2,3) (1,5), the
    # reverse-scored question running against the other: both are marked, and alpha is questionable.
    assert "1.00" in content
    assert content.count("pulls the dimension down</strong>") == 2
    assert "questionable" in content
    assert "&lt;table" not in content  # rendered, not escaped


def test_model_page_says_when_no_round_has_enough_complete_responses(client_for, staff, small_model):
    page = client_for(staff).get(reverse("admin:assessments_maturitymodel_change", args=[small_model.pk]))
    assert "No closed round of this version has enough complete responses yet" in page.content.decode()


def test_export_with_reliability_carries_the_figures_and_still_imports(small_model, team, tmp_path):
    import json
    from io import StringIO

    from django.core.management import call_command

    close_with_reliability(small_model, team, RELIABILITY_ROWS)
    out = StringIO()
    call_command("export_model", "--model", small_model.name, "--reliability", stdout=out)
    data = json.loads(out.getvalue())
    (entry,) = data["reliability"]
    assert entry["round"] == "2026 Q3"
    dimensions = {d["key"]: d for d in entry["dimensions"]}
    assert dimensions["dim-1"]["alpha"] == 1.0 and dimensions["dim-1"]["complete_responses"] == 4
    assert {q["key"] for q in dimensions["dim-2"]["questions"]} == {"dim-2-q1", "dim-2-q2"}
    path = tmp_path / "model.json"
    path.write_text(out.getvalue())
    call_command("import_model", str(path), stdout=StringIO())
    assert MaturityModel.objects.filter(name=small_model.name, version=2).exists()
    plain = StringIO()
    call_command("export_model", "--model", small_model.name, "--version", "1", stdout=plain)
    assert "reliability" not in json.loads(plain.getvalue())
