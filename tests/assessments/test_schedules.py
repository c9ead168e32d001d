"""Schedules: rounds open, remind, close and score by themselves, once, on a controllable clock."""

import threading
from datetime import date, datetime, time
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections

from assessments.models import ReminderBatch, Round, Schedule, TeamScore
from assessments.scheduling import schedules_open_due
from tests.factories import MembershipFactory, answer_all, make_model

UTC = ZoneInfo("UTC")


def at(day: date, hour: int = 9, minute: int = 1) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def run_worker():
    call_command("worker", "--batch", stdout=StringIO())


@pytest.fixture
def schedule(db, team):
    schedule = Schedule.objects.create(
        name="Quarterly check",
        model=make_model(points=5),
        cadence=Schedule.Cadence.QUARTERLY,
        starts_on=date(2027, 1, 4),
        open_days=14,
        k=3,
        k_detail=3,
        remind_after_days=3,
        remind_before_close_days=1,
    )
    schedule.teams.set([team])
    return schedule


@pytest.fixture
def people(team, lead, member):
    """The lead, the member and four colleagues: six people with an email each."""
    return [lead, member, *(MembershipFactory(team=team).user for _ in range(4))]


def test_a_quarter_opens_reminds_closes_and_scores_by_itself(schedule, team, people):
    with time_machine.travel(at(date(2027, 1, 4), 8, 59), tick=False):
        run_worker()
    assert not Round.objects.exists()  # 09:00 is the opening time

    with time_machine.travel(at(date(2027, 1, 4)), tick=False):
        run_worker()
        run_worker()  # a second tick, a second worker: still one round
        round_ = Round.objects.get()
        assert (round_.name, round_.schedule, round_.period) == (
            "Quarterly check 2027-01-04",
            schedule,
            date(2027, 1, 4),
        )
        assert list(round_.teams.all()) == [team] and (round_.k, round_.k_detail) == (3, 3)
        assert round_.closes_at == at(date(2027, 1, 18), 9, 0)
        for person in people[2:5]:
            answer_all(round_, team, person, "4")

    with time_machine.travel(at(date(2027, 1, 7), 9, 5), tick=False):  # 3 days after opening
        run_worker()
        run_worker()
    reminded = sorted(address for message in mail.outbox for address in message.to)
    assert reminded == sorted([people[0].email, people[1].email, people[5].email])

    with time_machine.travel(at(date(2027, 1, 12)), tick=False):
        answer_all(round_, team, people[5], "5")

    with time_machine.travel(at(date(2027, 1, 17), 9, 5), tick=False):  # a day before closing
        run_worker()
    assert len(mail.outbox) == 3 + 2  # the two still missing, a second time; never the ones who took part
    assert ReminderBatch.objects.filter(round=round_).count() == 2

    with time_machine.travel(
        at(
            date(2027, 1, 18),
            9,
            0,
        ),
        tick=False,
    ):
        run_worker()
    round_.refresh_from_db()
    assert round_.scored_at is not None
    assert TeamScore.objects.get(round=round_).responses == 4

    with time_machine.travel(at(date(2027, 4, 4)), tick=False):
        run_worker()
    assert list(Round.objects.order_by("period").values_list("period", flat=True)) == [
        date(2027, 1, 4),
        date(2027, 4, 4),
    ]


def test_after_downtime_only_the_window_still_open_is_opened(schedule):
    with time_machine.travel(at(date(2027, 4, 10)), tick=False):  # down since before January
        run_worker()
    assert list(Round.objects.values_list("period", flat=True)) == [date(2027, 4, 4)]
    round_ = Round.objects.get()
    assert round_.opens_at == at(date(2027, 4, 4), 9, 0)  # its own window, not the worker's clock


def test_a_window_missed_entirely_is_not_opened_late(schedule):
    with time_machine.travel(at(date(2027, 1, 20)), tick=False):
        run_worker()
    assert not Round.objects.exists()


def test_a_paused_schedule_opens_nothing_until_resumed_and_an_ended_one_never(schedule, lead):
    from assessments.scheduling import schedule_change

    with time_machine.travel(at(date(2027, 1, 5)), tick=False):
        schedule_change(schedule=schedule, action="pause", by=lead)
        run_worker()
        assert not Round.objects.exists()
        assert schedule.upcoming() == []
        schedule_change(schedule=schedule, action="resume", by=lead)
        run_worker()
        assert Round.objects.count() == 1
        schedule_change(schedule=schedule, action="end", by=lead)
    with time_machine.travel(at(date(2027, 4, 5)), tick=False):
        run_worker()
    assert Round.objects.count() == 1


def test_upcoming_rounds_are_listed_on_the_rounds_page(client_for, lead, schedule):
    with time_machine.travel(at(date(2026, 12, 2)), tick=False):
        content = client_for(lead).get("/rounds/").content.decode()
    assert "Next rounds to come" in content
    assert "Quarterly check: opens 4 Jan 2027, 09:00 UTC, closes 18 Jan 2027, 09:00 UTC" in content
    assert "4 Apr 2027, 09:00 UTC" in content


def schedule_data(model, team, **change) -> dict:
    """The rounds page's schedule form, filled in (its fields carry the form's prefix)."""
    data = {
        "name": "Monthly pulse",
        "model": model.pk,
        "teams": [team.pk],
        "cadence": "monthly",
        "every_weeks": 2,
        "starts_on": "2027-01-11",
        "opens_at_time": "10:00",
        "open_days": 7,
        "k": 3,
        "k_detail": 5,
        "remind_after_days": 2,
        "remind_before_close_days": 1,
        "max_reminders": 2,
        "reminder_gap_hours": 24,
        **change,
    }
    return {f"schedule-{key}": value for key, value in data.items()}


def test_a_lead_sets_a_schedule_for_the_teams_they_run(client_for, lead, team, default_model):
    data = schedule_data(default_model, team, opens_at_time="10:00")
    with time_machine.travel(at(date(2027, 1, 1)), tick=False):
        response = client_for(lead).post("/rounds/schedules/", data, follow=True)
    assert (
        "Schedule “Monthly pulse” saved. Its next round opens 11 Jan 2027, 10:00 UTC."
        in response.content.decode()
    )
    schedule = Schedule.objects.get(name="Monthly pulse")
    assert list(schedule.teams.all()) == [team] and schedule.created_by == lead


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"cadence": "weeks", "every_weeks": 1, "open_days": 8}, "can stay open 7 days at most"),
        ({"k": 2}, "greater than or equal to 3"),
        ({"k_detail": 3, "k": 4}, "cannot be below the one for scores"),
        ({"teams": []}, "Choose at least one team."),
        ({"ends_on": "2027-01-01"}, "cannot come before the first"),
    ],
)
def test_a_schedule_that_cannot_work_is_refused_with_the_reason(
    client_for, lead, team, default_model, change, message
):
    data = schedule_data(default_model, team, **change)
    with time_machine.travel(at(date(2027, 1, 1)), tick=False):
        response = client_for(lead).post("/rounds/schedules/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Schedule.objects.exists()


def test_pause_resume_and_end_from_the_rounds_page(client_for, lead, schedule):
    client = client_for(lead)
    client.post(f"/rounds/schedules/{schedule.pk}/", {"action": "pause"})
    schedule.refresh_from_db()
    assert schedule.paused
    client.post(f"/rounds/schedules/{schedule.pk}/", {"action": "resume"})
    schedule.refresh_from_db()
    assert not schedule.paused
    response = client.post(f"/rounds/schedules/{schedule.pk}/", {"action": "end"}, follow=True)
    assert "ended: it opens no new round" in response.content.decode()
    schedule.refresh_from_db()
    assert schedule.ends_on is not None and schedule.upcoming() == []
    assert client.post(f"/rounds/schedules/{schedule.pk}/", {"action": "explode"}).status_code == 302


def test_a_lead_of_only_some_of_its_teams_cannot_change_it(client_for, schedule, other_team):
    lead_elsewhere = MembershipFactory(team=schedule.teams.get(), role="lead").user
    MembershipFactory(team=other_team, role="member", user=lead_elsewhere)
    schedule.teams.add(other_team)
    assert (
        client_for(lead_elsewhere).post(f"/rounds/schedules/{schedule.pk}/", {"action": "end"}).status_code
        == 403
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_open_one_round(team):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL; SQLite serialises writers")
    schedule = Schedule.objects.create(
        name="Race",
        model=make_model(points=5),
        cadence="weeks",
        every_weeks=1,
        starts_on=date.today(),
        opens_at_time=time(0, 0),
        open_days=6,
    )
    schedule.teams.set([team])
    barrier = threading.Barrier(3)
    errors = []

    def work():
        try:
            barrier.wait(timeout=10)
            schedules_open_due()
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Round.objects.filter(schedule=schedule).count() == 1
