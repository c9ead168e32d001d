"""Reminders that respect people: queued as tasks, at most N per person, never two within the gap."""

from datetime import timedelta
from io import StringIO
from unittest import mock

import time_machine
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from assessments.models import ReminderBatch, ReminderDelivery
from tests.factories import MembershipFactory, UserFactory, answer_all


def run_worker():
    call_command("worker", "--batch", stdout=StringIO())


def test_remind_emails_only_members_who_have_not_taken_part(
    client_for, lead, member, open_round, team, colleagues
):
    answer_all(open_round, team, colleagues[0])
    response = client_for(lead).post(f"/rounds/{open_round.pk}/remind/", follow=True)
    expected = sorted(u.email for u in [lead, member, *colleagues[1:]])
    assert f"Reminders are on their way to {len(expected)} members" in response.content.decode()
    assert mail.outbox == []  # the worker sends them, not the request
    run_worker()
    assert sorted(address for message in mail.outbox for address in message.to) == expected
    body = mail.outbox[0].body
    assert "/surveys/" in body and "results of 3 or more people together" in body


def test_the_text_says_the_rounds_own_threshold(client_for, lead, team, small_model):
    from tests.factories import make_round

    round_ = make_round(model=small_model, teams=[team], k=5, k_detail=6)
    client_for(lead).post(f"/rounds/{round_.pk}/remind/")
    run_worker()
    assert "results of 5 or more people together" in mail.outbox[0].body


def test_a_second_click_within_the_gap_reminds_nobody_twice_and_says_so(client_for, lead, member, open_round):
    client = client_for(lead)
    client.post(f"/rounds/{open_round.pk}/remind/")
    run_worker()
    sent = len(mail.outbox)
    assert sent == 2  # lead and member
    response = client.post(f"/rounds/{open_round.pk}/remind/", follow=True)
    run_worker()
    assert len(mail.outbox) == sent
    assert "2 members were left out: reminded in the last 24 hours, or 2 times already." in (
        response.content.decode()
    )


def test_at_most_two_reminders_per_person_and_round(client_for, lead, member, open_round):
    client = client_for(lead)
    start = open_round.opens_at + timedelta(hours=1)
    for day in range(4):
        with time_machine.travel(start + timedelta(days=day), tick=False):
            client.post(f"/rounds/{open_round.pk}/remind/")
            run_worker()
    assert len(mail.outbox) == 2 * 2  # two people, two reminders each, then no more


def test_the_round_page_says_when_the_last_reminder_went_out_and_to_how_many(
    client_for, lead, member, open_round
):
    client = client_for(lead)
    assert "No reminder sent for this round yet." in client.get(f"/rounds/{open_round.pk}/").content.decode()
    client.post(f"/rounds/{open_round.pk}/remind/")
    content = client.get(f"/rounds/{open_round.pk}/").content.decode()
    assert "Last reminder: " in content and "UTC, by lead, 2 emails." in content
    assert "at most 2 reminders per round, never two within 24 hours" in content


def test_send_reminders_command_queues_within_the_same_limits(open_round, team, member, lead):
    out = StringIO()
    call_command("send_reminders", stdout=out)
    assert "2 reminders queued" in out.getvalue()
    run_worker()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([member.email, lead.email])
    call_command("send_reminders", stdout=out)
    assert "0 reminders queued, 2 left out" in out.getvalue()


def test_members_without_email_are_left_out(client_for, lead, member, open_round, team):
    MembershipFactory(team=team, user=UserFactory(email=""))
    client_for(lead).post(f"/rounds/{open_round.pk}/remind/")
    assert ReminderBatch.objects.get().queued == 2


def test_a_failing_mail_server_loses_nothing_and_shows_as_failed(client_for, lead, member, open_round):
    client_for(lead).post(f"/rounds/{open_round.pk}/remind/")
    with mock.patch("assessments.scheduling.send_mail", side_effect=ConnectionRefusedError("smtp down")):
        for attempt in range(5):
            # Each retry waits 1, 2, 4, 8 minutes: the clock moves on past it.
            with time_machine.travel(
                open_round.opens_at + timedelta(hours=1, minutes=20 * attempt), tick=False
            ):
                run_worker()
    failed = ReminderDelivery.objects.filter(status=ReminderDelivery.Status.FAILED)
    assert failed.count() == 2 and all(d.attempts == 5 for d in failed)
    assert "ConnectionRefusedError: smtp down" in failed.first().last_error
    assert DBTaskResult.objects.failed().count() == 2  # the admin's task list shows them failed
    assert mail.outbox == []


def test_a_mail_server_back_after_one_failure_delivers_once(client_for, lead, member, open_round):
    client_for(lead).post(f"/rounds/{open_round.pk}/remind/")
    calls = []

    def flaky(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise TimeoutError("slow smtp")
        return mail.send_mail(*args, **kwargs)

    with mock.patch("assessments.scheduling.send_mail", side_effect=flaky):
        with time_machine.travel(open_round.opens_at + timedelta(hours=1), tick=False):
            run_worker()
        with time_machine.travel(open_round.opens_at + timedelta(hours=2), tick=False):
            run_worker()
    assert len(mail.outbox) == 2
    assert ReminderDelivery.objects.filter(status=ReminderDelivery.Status.SENT).count() == 2


def test_the_close_forgets_who_was_reminded(client_for, lead, member, open_round):
    from assessments.services import round_close

    client_for(lead).post(f"/rounds/{open_round.pk}/remind/")
    round_close(round=open_round)
    assert not ReminderDelivery.objects.exists()
    assert ReminderBatch.objects.get().queued == 2  # the counts stay
    run_worker()
    assert mail.outbox == []  # nothing goes out for a closed round


def test_a_click_that_reminds_nobody_leaves_the_last_reminder_as_it_was(client_for, lead, member, open_round):
    client = client_for(lead)
    client.post(f"/rounds/{open_round.pk}/remind/")
    client.post(f"/rounds/{open_round.pk}/remind/")
    assert ReminderBatch.objects.count() == 1
    content = client.get(f"/rounds/{open_round.pk}/").content.decode()
    assert "by lead, 2 emails." in content
