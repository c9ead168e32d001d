"""Rounds for leads: create, participation counts (never names), reminders, close early."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments.models import Round, TeamScore
from tests.factories import MembershipFactory, answer_all, make_round


def form_data(model, chosen, **overrides):
    now = timezone.localtime()
    data = {
        "name": "Spring pulse",
        "model": model.pk,
        "teams": [team.pk for team in chosen],
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M"),
        "k": 3,
        "k_detail": 5,
    }
    data.update(overrides)
    return data


def test_lead_creates_a_round_for_their_team(client_for, lead, team, small_model):
    response = client_for(lead).post("/rounds/", form_data(small_model, [team]))
    round_ = Round.objects.get()
    assert response.status_code == 302 and response.headers["Location"] == f"/rounds/{round_.pk}/"
    assert list(round_.teams.all()) == [team]
    assert round_.created_by == lead and round_.is_open


def test_lead_cannot_create_a_round_for_a_team_they_do_not_run(client_for, lead, other_team, small_model):
    response = client_for(lead).post("/rounds/", form_data(small_model, [other_team]))
    assert response.status_code == 400
    assert not Round.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"k": 2}, "k"),
        ({"k_detail": 1}, "k_detail"),
        ({"k": 5, "k_detail": 4}, "k_detail"),
        ({"teams": []}, "teams"),
    ],
)
def test_round_form_refuses_bad_thresholds_and_no_teams(
    client_for, lead, team, small_model, overrides, field
):
    response = client_for(lead).post("/rounds/", form_data(small_model, [team], **overrides))
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not Round.objects.exists()


def test_round_must_close_after_it_opens_and_in_the_future(client_for, lead, team, small_model):
    past = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client_for(lead).post("/rounds/", form_data(small_model, [team], closes_at=past))
    assert response.status_code == 400 and not Round.objects.exists()


def test_rounds_page_is_404_for_members_and_outsiders(client_for, member, outsider):
    assert client_for(member).get("/rounds/").status_code == 404
    assert client_for(outsider).get("/rounds/").status_code == 404


def test_group_manager_sees_the_rounds_page(client_for, manager, open_round):
    response = client_for(manager).get("/rounds/")
    assert response.status_code == 200
    assert open_round.name in response.content.decode()


def test_round_detail_shows_counts_never_names(client_for, lead, open_round, team, colleagues):
    answer_all(open_round, team, colleagues[0])
    answer_all(open_round, team, colleagues[1])
    content = client_for(lead).get(f"/rounds/{open_round.pk}/").content.decode()
    assert '<td class="text-end">2</td>' in content
    for user in colleagues:
        assert user.username not in content
        assert user.first_name not in content


def test_round_detail_is_404_for_an_outsider_lead(client_for, open_round, other_team):
    outsider_lead = MembershipFactory(team=other_team, role="lead").user
    assert client_for(outsider_lead).get(f"/rounds/{open_round.pk}/").status_code == 404


def test_remind_is_post_only(client_for, lead, open_round):
    assert client_for(lead).get(f"/rounds/{open_round.pk}/remind/").status_code == 405


def test_lead_closes_early_and_results_are_stored(client_for, lead, open_round, team, colleagues):
    for user in colleagues[:3]:
        answer_all(open_round, team, user, "4")
    response = client_for(lead).post(f"/rounds/{open_round.pk}/close/", follow=True)
    assert "closed; its results are ready" in response.content.decode()
    open_round.refresh_from_db()
    assert open_round.is_closed and open_round.scored_at
    assert TeamScore.objects.get(round=open_round, team=team).responses == 3


def test_lead_of_only_some_teams_cannot_close_for_all(client_for, lead, small_model, team, other_team):
    round_ = make_round(model=small_model, teams=[team, other_team])
    assert client_for(lead).post(f"/rounds/{round_.pk}/close/").status_code == 403
    round_.refresh_from_db()
    assert round_.is_open


def test_member_cannot_close(client_for, member, open_round):
    assert client_for(member).post(f"/rounds/{open_round.pk}/close/").status_code == 404


def test_round_settings_are_frozen_once_open(open_round):
    from django.core.exceptions import ValidationError

    open_round.k = 10
    with pytest.raises(ValidationError):
        open_round.full_clean()
    with pytest.raises(ValidationError):
        open_round.save()
    open_round.refresh_from_db()
    assert open_round.k == 3


def test_upcoming_round_can_still_change(small_model, team):
    round_ = make_round(model=small_model, teams=[team], state="upcoming")
    round_.k = 4
    round_.full_clean()
    round_.save()
    assert Round.objects.get().k == 4


def test_thresholds_below_three_are_refused_by_the_database(small_model):
    from django.db import IntegrityError

    now = timezone.now()
    with pytest.raises(IntegrityError):
        Round.objects.create(
            name="x", model=small_model, opens_at=now, closes_at=now + timedelta(days=1), k=2
        )


def test_rounds_list_shows_guidance_without_rounds(client_for, lead):
    assert "No rounds yet" in client_for(lead).get("/rounds/").content.decode()


def test_rounds_list_counts_only_the_teams_the_lead_runs(client_for, lead, small_model, team, other_team):
    """Twelve-team rounds: a lead of one must not learn the others' live counts by subtraction."""
    round_ = make_round(model=small_model, teams=[team, other_team])
    for _ in range(2):
        answer_all(round_, team, MembershipFactory(team=team).user, "3")
    for _ in range(4):
        answer_all(round_, other_team, MembershipFactory(team=other_team).user, "3")
    response = client_for(lead).get("/rounds/")
    (listed,) = response.context["rounds"]
    assert (listed.taken, listed.my_teams, listed.team_total) == (2, 1, 2)
    assert listed.taken <= team.memberships.count()
    assert "6 people" not in response.content.decode()
    detail = client_for(lead).get(f"/rounds/{round_.pk}/")
    assert [row["team"] for row in detail.context["rows"]] == [team]


def test_rounds_list_counts_every_team_for_a_group_manager(client_for, manager, small_model, team, group):
    from tests.factories import TeamFactory

    second = TeamFactory(group=group)
    round_ = make_round(model=small_model, teams=[team, second])
    answer_all(round_, team, MembershipFactory(team=team).user, "3")
    answer_all(round_, second, MembershipFactory(team=second).user, "3")
    (listed,) = client_for(manager).get("/rounds/").context["rounds"]
    assert (listed.taken, listed.my_teams) == (2, 2)


def test_round_created_for_one_team_says_team_not_teams(client_for, lead, team, small_model):
    response = client_for(lead).post("/rounds/", form_data(small_model, [team]), follow=True)
    assert "created for 1 team." in response.content.decode()


def test_round_form_says_which_time_zone_its_times_are_in(client_for, lead, settings):
    content = client_for(lead).get("/rounds/").content.decode()
    assert "Opens at (UTC)" in content and "Closes at (UTC)" in content
    assert "Date and time in the UTC time zone." in content


def test_close_now_asks_first_on_the_round_page(client_for, lead, open_round):
    content = client_for(lead).get(f"/rounds/{open_round.pk}/").content.decode()
    ask = content[content.index('<details class="close-round">') :]
    ask = ask[: ask.index("</details>")]
    assert "It cannot be undone" in ask and "drafts that were saved but not submitted are dropped" in ask
    assert "rather than at its planned close (" in ask and " at at " not in ask
    assert "Close now and show results" in ask  # the button that closes sits behind the warning
