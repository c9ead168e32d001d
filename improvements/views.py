"""Pages and writes of one improvement action, and WIP limits.

Where the views live: the board (``/teams/<slug>/actions/``) is a composed page with flow charts,
and charts belong to ``portal``, which a domain app never imports; so the board view lives in
``portal/views/actions.py`` and creates actions through this app's form and service. Everything
here needs no chart: the action page, moves (from the board or the action page), A3 edits,
experiments and WIP limits. The CSV export of a team's actions sits with the other exports in
``portal/views/exports.py``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.messages.storage.base import Message
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

import addresses
from addresses import address
from improvements import services
from improvements.access import action_for_user, can_set_limits, can_work_on, require_worker
from improvements.forms import ActionEditForm, ExperimentForm, MoveForm, WipLimitsForm
from improvements.loop import loop_for
from improvements.models import Action, Stage, WipLimit
from teams.access import role_in, team_for_user

# The extra tag of a refused move's message; the board reads it back (``refused_moves``).
REFUSED_TAG = "move-refused"


def refused_moves(request: HttpRequest) -> tuple[dict[int, tuple[Message, str]], list[Message]]:
    """Split this request's messages: refused moves by card id (message, chosen stage), and the rest.

    Reading the messages marks them shown, as the template's loop would.
    """
    refused: dict[int, tuple[Message, str]] = {}
    others = []
    for message in messages.get_messages(request):
        tags = message.extra_tags.split() if message.extra_tags else []
        card = next((tag.removeprefix("card-") for tag in tags if tag.startswith("card-")), "")
        stage = next((tag.removeprefix("stage-") for tag in tags if tag.startswith("stage-")), "")
        if REFUSED_TAG in tags and card.isdigit():
            refused[int(card)] = (message, stage)
        else:
            others.append(message)
    return refused, others


# --- One action ------------------------------------------------------------------------------


def _detail(
    request: HttpRequest, action: Action, *, experiment_form: ExperimentForm | None = None, status=200
):
    role = role_in(request.user, action.team)
    context = {
        "action": action,
        "team": action.team,
        "can_work": can_work_on(role),
        "experiments": action.experiments.select_related("created_by"),
        "stage_changes": action.stage_changes.select_related("by").order_by("at", "pk"),
        "experiment_form": experiment_form or ExperimentForm(),
        "loop": loop_for(action),
        "stages": Stage.choices,
    }
    return render(request, "improvements/action_detail.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def action_detail(request: HttpRequest, action_id: int) -> HttpResponse:
    """The A3, the experiments, the stage history and the loop-closing panel. A POST moves the card."""
    action = action_for_user(request.user, action_id)
    if request.method == "POST":
        require_worker(request.user, action.team)
        return _move(request, action)
    return _detail(request, action)


@require_POST
@login_required
def card_move(request: HttpRequest, action_id: int) -> HttpResponse:
    """Move the card to the stage in the ``stage`` field, then back to where the mover came from."""
    action = action_for_user(request.user, action_id)
    require_worker(request.user, action.team)
    return _move(request, action)


def _move(request: HttpRequest, action: Action) -> HttpResponse:
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["stage"]))
    else:
        try:
            services.action_move(action=action, stage=form.cleaned_data["stage"], by=request.user)
        except services.MoveRefused as refused:
            # Tagged with the card and the chosen stage: the board shows the refusal on the card
            # itself (where the mover is looking) and keeps that stage selected.
            stage = form.cleaned_data["stage"]
            tags = f"{REFUSED_TAG} card-{action.pk} stage-{stage}"
            messages.error(request, refused.message, extra_tags=tags)
            # Back at the card's refusal message: the browser scrolls to it and focuses it.
            back = _back(request, address(addresses.ACTION_BOARD, slug=action.team.slug))
            card = f"#action-{action.pk}"
            if back.endswith(card):
                return redirect(back.removesuffix(card) + f"#move-refused-{action.pk}")
        else:
            messages.success(
                request,
                _("“%(title)s” moved to %(stage)s.")
                % {"title": action.title, "stage": action.get_stage_display()},
            )
    return redirect(_back(request, address(addresses.ACTION_BOARD, slug=action.team.slug)))


def _back(request: HttpRequest, default: str) -> str:
    """The page the form came from (``next``), when it is one of ours; else ``default``.

    Only a path on this site will do: ``redirect()`` would take any other word for a URL name.
    """
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def action_edit(request: HttpRequest, action_id: int) -> HttpResponse:
    """Edit the title, owner, due date, links, A3 and outcome (members and leads of the team)."""
    action = action_for_user(request.user, action_id)
    require_worker(request.user, action.team)
    if request.method == "POST":
        form = ActionEditForm(request.POST, instance=action, team=action.team)
        if form.is_valid():
            with transaction.atomic():
                form.save()
            messages.success(request, _("Saved."))
            return redirect("improvements:action_detail", action_id=action.pk)
        messages.error(request, _("Nothing was saved: please correct the marked fields."))
        status = 400
    else:
        form = ActionEditForm(instance=action, team=action.team)
        status = 200
    return render(
        request,
        "improvements/action_form.html",
        {"form": form, "action": action, "team": action.team},
        status=status,
    )


# --- Experiments (PDCA cycles) ---------------------------------------------------------------


@require_POST
@login_required
def experiment_add(request: HttpRequest, action_id: int) -> HttpResponse:
    """Record the next PDCA cycle of an action."""
    action = action_for_user(request.user, action_id)
    require_worker(request.user, action.team)
    form = ExperimentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The experiment was not recorded: please correct the marked fields."))
        return _detail(request, action, experiment_form=form, status=400)
    experiment = form.save(commit=False)
    experiment.action = action
    experiment.created_by = request.user
    experiment.save()
    messages.success(request, _("Experiment recorded."))
    return redirect(reverse("improvements:action_detail", args=[action.pk]) + f"#experiment-{experiment.pk}")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def experiment_edit(request: HttpRequest, action_id: int, experiment_id: int) -> HttpResponse:
    """Complete an experiment: what happened and what we learned."""
    action = action_for_user(request.user, action_id)
    require_worker(request.user, action.team)
    experiment = get_object_or_404(action.experiments, pk=experiment_id)
    if request.method == "POST":
        form = ExperimentForm(request.POST, instance=experiment)
        if form.is_valid():
            form.save()
            messages.success(request, _("Experiment saved."))
            return redirect(
                reverse("improvements:action_detail", args=[action.pk]) + f"#experiment-{experiment.pk}"
            )
        messages.error(request, _("Nothing was saved: please correct the marked fields."))
        status = 400
    else:
        form = ExperimentForm(instance=experiment)
        status = 200
    return render(
        request,
        "improvements/experiment_form.html",
        {"form": form, "action": action, "experiment": experiment, "team": action.team},
        status=status,
    )


# --- WIP limits ------------------------------------------------------------------------------


def over_limit_warning(stage: str, count: int, limit: int) -> str:
    """What a limit lowered below the column's count means: no card enters until enough have left."""
    leave = count - limit + 1
    return ngettext(
        "%(stage)s now holds %(count)s actions, above its new limit of %(limit)s: no new card can enter "
        "until %(leave)s action has left it.",
        "%(stage)s now holds %(count)s actions, above its new limit of %(limit)s: no new card can enter "
        "until %(leave)s actions have left it.",
        leave,
    ) % {"stage": stage, "count": count, "limit": limit, "leave": leave}


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def wip_limits(request: HttpRequest, slug: str) -> HttpResponse:
    """The team lead sets the board's WIP limits; members see them on the board."""
    team = team_for_user(request.user, slug)
    if not can_set_limits(role_in(request.user, team)):
        raise PermissionDenied
    limits = WipLimit.objects.for_team(team)
    counts = dict(
        Action.objects.filter(team=team).values("stage").annotate(n=Count("pk")).values_list("stage", "n")
    )
    if request.method == "POST":
        form = WipLimitsForm(request.POST, limits=limits)
        if form.is_valid():
            services.wip_limits_set(team=team, limits=form.limits())
            messages.success(request, _("WIP limits saved."))
            for stage, limit in form.limits().items():
                if limit is not None and counts.get(stage, 0) > limit:
                    messages.warning(request, over_limit_warning(Stage(stage).label, counts[stage], limit))
            return redirect(address(addresses.ACTION_BOARD, slug=team.slug))
        messages.error(request, _("Nothing was saved: please correct the marked fields."))
        status = 400
    else:
        form = WipLimitsForm(limits=limits)
        status = 200
    rows = [(form[stage], counts.get(stage, 0)) for stage in form.fields]
    return render(
        request, "improvements/wip_limits.html", {"team": team, "form": form, "rows": rows}, status=status
    )
