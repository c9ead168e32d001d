from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language_info, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

import addresses
from addresses import address
from assessments import scheduling, scoring, services
from assessments.content import content_in, content_language
from assessments.forms import RoundForm, ScheduleForm, SurveyForm
from assessments.models import Dimension, Participation, Question, ReminderBatch, Round, Schedule
from assessments.survey_time import survey_minutes
from assessments.surveys import survey_slots
from teams.access import team_for_member, teams_with_live_counts
from teams.models import Membership, Team
from teams.preferences import moment_text


@require_safe
@login_required
def survey_list(request: HttpRequest) -> HttpResponse:
    return render(request, "assessments/survey_list.html", {"slots": survey_slots(request.user)})


def _survey_dimensions(round_: Round) -> list[Dimension]:
    """The model's dimensions in order, each with its questions, in one query."""
    dimensions: dict[int, Dimension] = {}
    questions = (
        Question.objects.filter(dimension__model_id=round_.model_id)
        .select_related("dimension")
        .order_by("dimension__order", "dimension__key", "order", "key")
    )
    for question in questions:
        dimension = dimensions.setdefault(question.dimension_id, question.dimension)
        dimension.__dict__.setdefault("survey_questions", []).append(question)
    return list(dimensions.values())


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def survey_take(request: HttpRequest, round_id: int, team_slug: str) -> HttpResponse:
    team = team_for_member(request.user, team_slug)
    round_ = get_object_or_404(Round.objects.select_related("model").filter(teams=team), pk=round_id)
    status = round_.status()
    context = {"round": round_, "team": team, "status": status}
    if status != Round.Status.OPEN:
        if request.method == "POST":
            messages.error(request, _("This round is not open, so nothing was saved."))
        return render(request, "assessments/survey_closed.html", context, status=200)

    dimensions = _survey_dimensions(round_)
    wanted = content_language()
    shown = wanted if not round_.model.missing_translations(wanted, dimensions) else round_.model.language
    context["content_lang"] = shown
    if shown != wanted:
        context["shown_in"] = get_language_info(shown)["name_local"]
    with content_in(shown):
        return _survey_page(request, round_, team, dimensions, context)


def _survey_page(
    request, round_: Round, team: Team, dimensions: list[Dimension], context: dict
) -> HttpResponse:
    """The survey form, its save and its submit, with the model's words in the content language."""
    if request.method == "POST":
        submit = request.POST.get("action") == "submit"
        form = SurveyForm(request.POST, model=round_.model, dimensions=dimensions, submit=submit)
        if form.is_valid():
            try:
                response = services.response_save(
                    round=round_,
                    team=team,
                    user=request.user,
                    answers=form.answers(),
                    comments=form.comments(),
                    submit=submit,
                )
            except services.RoundNotOpen:  # closed while the page was being sent
                messages.error(request, _("This round is not open, so nothing was saved."))
                context["status"] = Round.Status.CLOSED
                return render(request, "assessments/survey_closed.html", context, status=200)
            if submit:
                messages.success(
                    request,
                    _(
                        "Thank you! Your answers for %(team)s are in. "
                        "You can change them until the round closes."
                    )
                    % {"team": team.name},
                )
                return redirect(address(addresses.HOME))
            if response.status == response.Status.SUBMITTED:
                messages.warning(
                    request,
                    _(
                        "You had already sent your answers, so this draft was not saved: what you sent "
                        "stays as it was. To change it, answer every question and press Submit."
                    ),
                )
            else:
                messages.success(request, _("Draft saved. Come back any time before the round closes."))
            return redirect("assessments:survey_take", round_id=round_.pk, team_slug=team.slug)
        missing, invalid = form.question_errors("required"), form.question_errors("invalid_choice")
        problems = []
        if missing:
            problems.append(
                ngettext(
                    "%(n)d question still needs an answer.",
                    "%(n)d questions still need an answer.",
                    len(missing),
                )
                % {"n": len(missing)}
            )
        if invalid:
            problems.append(
                ngettext(
                    "%(n)d answer is not one of the choices.",
                    "%(n)d answers are not one of the choices.",
                    len(invalid),
                )
                % {"n": len(invalid)}
            )
        messages.error(
            request,
            " ".join([*problems, _("Nothing was sent; your answers are kept below.")])
            if problems
            else _("Please correct the marked fields. Nothing was sent."),
        )
        own = services.response_for(round=round_, team=team, user=request.user)
        context["submitted"] = bool(own and own.status == own.Status.SUBMITTED)
        context.update({"missing": missing, "invalid": invalid})
        status_code = 400
    else:
        response = services.response_for(round=round_, team=team, user=request.user)
        if response is not None:
            response = type(response).objects.prefetch_related("answers", "comments").get(pk=response.pk)
        context["submitted"] = bool(response and response.status == response.Status.SUBMITTED)
        form = SurveyForm(
            initial=SurveyForm.initial_from(response), model=round_.model, dimensions=dimensions, submit=False
        )
        status_code = 200
    sections = form.sections()
    # The first question without an answer, for the "next unanswered question" jump (None: all done).
    unanswered = (
        field for section in sections for _question, field in section.questions if field.value() in (None, "")
    )
    context.update(
        {
            "form": form,
            "sections": sections,
            "next_unanswered": next(unanswered, None),
            "minutes": survey_minutes(form.question_count),
        }
    )
    return render(request, "assessments/survey_take.html", context, status=status_code)


# --- Rounds, for leads -----------------------------------------------------------------------


def _participation_rows(round_: Round, teams) -> list[dict]:
    """Per team: members, how many took part, the rate. Counts only, never names."""
    team_ids = [team.pk for team in teams]
    taken = dict(
        Participation.objects.filter(round=round_, team_id__in=team_ids)
        .values("team")
        .annotate(n=Count("id"))
        .values_list("team", "n")
    )
    invited = Membership.objects.count_by_team(team_ids)
    rows = []
    for team in teams:
        members, done = invited.get(team.pk, 0), taken.get(team.pk, 0)
        rows.append(
            {
                "team": team,
                "members": members,
                "taken": done,
                "rate": scoring.participation_rate(done, members),
                "below_k": done < round_.k,
            }
        )
    return rows


def _led_teams(user):
    led_teams = teams_with_live_counts(user).active().select_related("group")
    if not led_teams.exists():
        raise Http404
    return led_teams


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    led_teams = _led_teams(request.user)
    form = RoundForm(request.POST or None, teams=led_teams)
    if request.method == "POST":
        if form.is_valid():
            round_ = services.round_create(form=form, by=request.user)
            count = round_.teams.count()
            messages.success(
                request,
                ngettext(
                    "Round “%(name)s” created for %(n)d team.",
                    "Round “%(name)s” created for %(n)d teams.",
                    count,
                )
                % {"name": round_.name, "n": count},
            )
            return redirect("assessments:round_detail", round_id=round_.pk)
        messages.error(request, _("The round was not created: please correct the marked fields."))
    return _rounds_page(request, form=form, schedule_form=ScheduleForm(teams=led_teams))


def _rounds_page(request: HttpRequest, *, form, schedule_form) -> HttpResponse:
    # Live counts of the teams this person runs only (teams.access): never the whole round's.
    counted = teams_with_live_counts(request.user)
    rounds = (
        Round.objects.for_lead(request.user)
        .select_related("model")
        .annotate(
            # A subquery: for_lead() filters on teams, which would narrow a Count("teams") to theirs.
            team_total=Subquery(
                Round.teams.through.objects.filter(round=OuterRef("pk"))
                .values("round")
                .annotate(n=Count("pk"))
                .values("n")
            ),
            my_teams=Count("teams", filter=Q(teams__in=counted), distinct=True),
            taken=Count("participations", filter=Q(participations__team__in=counted), distinct=True),
        )
        .order_by("-opens_at")
    )
    schedules = list(
        Schedule.objects.for_lead(request.user).select_related("model").prefetch_related("teams")
    )
    upcoming = sorted(
        ((window, schedule) for schedule in schedules for window in schedule.upcoming(count=2)),
        key=lambda pair: (pair[0].opens_at, pair[1].name),
    )[:6]
    return render(
        request,
        "assessments/round_list.html",
        {
            "form": form,
            "schedule_form": schedule_form,
            "rounds": rounds,
            "schedules": schedules,
            "upcoming": upcoming,
            "today": timezone.localdate(),
        },
        status=400 if form.is_bound or schedule_form.is_bound else 200,
    )


@require_POST
@login_required
def schedule_new(request: HttpRequest) -> HttpResponse:
    led_teams = _led_teams(request.user)
    schedule_form = ScheduleForm(request.POST, teams=led_teams)
    if schedule_form.is_valid():
        schedule = scheduling.schedule_create(form=schedule_form, by=request.user)
        nxt = schedule.upcoming(count=1)
        messages.success(
            request,
            _("Schedule “%(name)s” saved. Its next round opens %(when)s.")
            % {
                "name": schedule.name,
                "when": moment_text(nxt[0].opens_at) if nxt else "–",
            },
        )
        return redirect(reverse("assessments:round_list") + "#schedules")
    messages.error(request, _("The schedule was not saved: please correct the marked fields."))
    return _rounds_page(request, form=RoundForm(teams=led_teams), schedule_form=schedule_form)


@require_POST
@login_required
def schedule_action(request: HttpRequest, schedule_id: int) -> HttpResponse:
    """Pause, resume or end a schedule; only who runs every one of its teams may."""
    led = set(_led_teams(request.user).values_list("pk", flat=True))
    schedule = get_object_or_404(Schedule.objects.for_lead(request.user), pk=schedule_id)
    if not set(schedule.teams.values_list("pk", flat=True)) <= led:
        raise PermissionDenied
    action = request.POST.get("action")
    if action not in ("pause", "resume", "end"):
        messages.error(request, _("Choose to pause, resume or end the schedule."))
        return redirect(reverse("assessments:round_list") + "#schedules")
    scheduling.schedule_change(schedule=schedule, action=action, by=request.user)
    done = {
        "pause": _("Schedule “%(name)s” paused: it opens no new round until you resume it."),
        "resume": _("Schedule “%(name)s” resumed."),
        "end": _("Schedule “%(name)s” ended: it opens no new round. Its rounds stay."),
    }[action]
    messages.success(request, done % {"name": schedule.name})
    return redirect(reverse("assessments:round_list") + "#schedules")


def _round_for_lead(user, round_id: int) -> tuple[Round, list[Team]]:
    """The round and the teams of it this user runs; 404 when they run none of its teams."""
    round_ = get_object_or_404(Round.objects.select_related("model"), pk=round_id)
    teams = list(teams_with_live_counts(user).filter(rounds=round_).select_related("group").order_by("name"))
    if not teams:
        raise Http404
    return round_, teams


@require_safe
@login_required
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    round_, teams = _round_for_lead(request.user, round_id)
    all_team_count = round_.teams.count()
    most, gap = scheduling.reminder_rules(round_)
    return render(
        request,
        "assessments/round_detail.html",
        {
            "last_reminder": scheduling.last_reminder(round_),
            "reminder_most": most,
            "reminder_gap_hours": int(gap.total_seconds() // 3600),
            "round": round_,
            "rows": _participation_rows(round_, teams),
            "can_close": round_.is_open and len(teams) == all_team_count,
            "all_team_count": all_team_count,
        },
    )


@require_POST
@login_required
def round_remind(request: HttpRequest, round_id: int) -> HttpResponse:
    round_, teams = _round_for_lead(request.user, round_id)
    if not round_.is_open:
        messages.error(request, _("Reminders go out only while a round is open."))
        return redirect("assessments:round_detail", round_id=round_.pk)
    batch = scheduling.reminders_queue(
        round=round_, teams=teams, kind=ReminderBatch.Kind.LEAD, by=request.user
    )
    most, gap = scheduling.reminder_rules(round_)
    hours = int(gap.total_seconds() // 3600)
    if batch.queued:
        messages.success(
            request,
            ngettext(
                "A reminder is on its way to %(n)d member who has not taken part yet.",
                "Reminders are on their way to %(n)d members who have not taken part yet.",
                batch.queued,
            )
            % {"n": batch.queued},
        )
    if batch.skipped:
        messages.info(
            request,
            ngettext(
                "%(n)d member was left out: reminded in the last %(hours)d hours, or %(most)d times already.",
                "%(n)d members were left out: reminded in the last %(hours)d hours, "
                "or %(most)d times already.",
                batch.skipped,
            )
            % {"n": batch.skipped, "hours": hours, "most": most},
        )
    if not batch.queued and not batch.skipped:
        messages.info(request, _("Everyone in your teams has taken part: nobody to remind."))
    return redirect("assessments:round_detail", round_id=round_.pk)


@require_POST
@login_required
def round_close_now(request: HttpRequest, round_id: int) -> HttpResponse:
    round_, teams = _round_for_lead(request.user, round_id)
    if len(teams) != round_.teams.count():
        raise PermissionDenied  # Closing early ends the round for every team: only who runs them all.
    if not round_.is_open:
        messages.info(request, _("This round is already closed."))
        return redirect("assessments:round_detail", round_id=round_.pk)
    services.round_close(round=round_, by=request.user)
    messages.success(
        request,
        _(
            "Round “%(name)s” closed; its results are ready. Each team can open its review "
            "from the table below."
        )
        % {"name": round_.name},
    )
    return redirect("assessments:round_detail", round_id=round_.pk)
