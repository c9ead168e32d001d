from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from assessments import reliability, scheduling, services
from assessments.admin_forms import MaturityModelAdminForm, ModelTranslationForm
from assessments.models import (
    Dimension,
    DimensionReliability,
    DimensionScore,
    MaturityModel,
    Question,
    QuestionDistribution,
    ReminderBatch,
    ReminderDelivery,
    Response,
    Round,
    Schedule,
    TeamScore,
)
from assessments.models.rounds import FROZEN_WHEN_OPEN
from audit.models import AuditEvent
from audit.trail import record
from teams.preferences import moment_text

# Responses, answers, comments and participations have no admin page on purpose: no admin
# screen may list what a person answered, or who answered next to what was answered.


class FrozenModelMixin:
    """A maturity model a round uses is read-only everywhere in the admin; changes are audited."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        model = obj if isinstance(obj, MaturityModel) else obj.model
        record(
            AuditEvent.Action.MODEL_CHANGED,
            model,
            by=request.user,
            changed=form.changed_data,
            via=str(obj),
        )

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.has_changed():
            obj = form.instance
            model = obj if isinstance(obj, MaturityModel) else obj.model
            record(AuditEvent.Action.MODEL_CHANGED, model, by=request.user, inline=formset.prefix)

    def _frozen(self, obj) -> bool:
        """Asked once per request and model: the change page and each inline row ask again."""
        model = obj if isinstance(obj, MaturityModel) else getattr(obj, "model", None)
        if model is None:
            return False
        if not hasattr(model, "_admin_frozen"):
            model._admin_frozen = model.is_frozen
        return model._admin_frozen

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is not None and self._frozen(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is not None and self._frozen(obj):
            return False
        return super().has_delete_permission(request, obj)


class DimensionInline(FrozenModelMixin, admin.TabularInline):
    model = Dimension
    extra = 0
    fields = ["order", "key", "name", "weight"]
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return not (obj and self._frozen(obj)) and super().has_add_permission(request, obj)


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["order", "key", "text", "help_text", "result_label", "reverse", "scoring_note"]

    def _frozen(self, obj) -> bool:
        return bool(obj and obj.model.is_frozen)

    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


@admin.register(MaturityModel)
class MaturityModelAdmin(FrozenModelMixin, admin.ModelAdmin):
    form = MaturityModelAdminForm
    list_display = ["name", "version", "published", "dimension_count", "round_count", "frozen"]
    list_filter = ["published", "name"]
    search_fields = ["name", "description"]
    inlines = [DimensionInline]
    actions = ["copy_as_new_version"]
    readonly_fields = ["reliability_report", "translation_status"]
    # The newest closed rounds whose reliability the model page shows.
    REPORT_ROUNDS = 3

    def get_urls(self):
        return [
            path(
                "<int:model_id>/translations/<str:language>/",
                self.admin_site.admin_view(self.translations_view),
                name="assessments_maturitymodel_translations",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("translations"))
    def translation_status(self, obj: MaturityModel) -> str:
        """Per language: complete (a round offers it) or how many texts are missing, with a link
        to translate; open even when the model is frozen."""
        if obj is None or obj.pk is None:
            return "–"
        items = []
        for code, name in settings.LANGUAGES:
            url = reverse("admin:assessments_maturitymodel_translations", args=[obj.pk, code])
            if code == obj.language:
                items.append(format_html("<li>{}: {}</li>", name, _("written in it")))
                continue
            missing = len(obj.missing_translations(code))
            state = (
                _("complete: rounds offer it")
                if not missing
                else ngettext("%(n)s text missing", "%(n)s texts missing", missing) % {"n": missing}
            )
            items.append(
                format_html('<li>{}: {} · <a href="{}">{}</a></li>', name, state, url, _("translate"))
            )
        return format_html("<ul>{}</ul>", mark_safe("".join(items)))  # noqa: S308 - built by format_html

    def translations_view(self, request: HttpRequest, model_id: int, language: str):
        """Translate every text of the model into one language. Frozen models too: a
        translation changes no key, scale or score; every save is audited."""
        model = self.get_object(request, str(model_id))
        if model is None or language not in dict(settings.LANGUAGES) or language == model.language:
            raise Http404
        if not self.has_view_permission(request, model) or not request.user.has_perm(
            "assessments.change_maturitymodel"
        ):
            raise PermissionDenied
        form = ModelTranslationForm(request.POST or None, model=model, language=language)
        if request.method == "POST" and form.is_valid():
            with transaction.atomic():
                changed = form.save()
                record(
                    AuditEvent.Action.MODEL_CHANGED,
                    model,
                    by=request.user,
                    translated=language,
                    objects=len(changed),
                )
            self.message_user(
                request,
                _("Translations into %(language)s saved.") % {"language": dict(settings.LANGUAGES)[language]},
                messages.SUCCESS,
            )
            return redirect(request.path)
        return TemplateResponse(
            request,
            "admin/assessments/maturitymodel/translations.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Translate %(model)s into %(language)s")
                % {"model": f"{model.name} v{model.version}", "language": dict(settings.LANGUAGES)[language]},
                "opts": self.model._meta,
                "original": model,
                "form": form,
                "language": language,
            },
        )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                dimension_total=Count("dimensions", distinct=True), round_total=Count("rounds", distinct=True)
            )
        )

    @admin.display(description=_("dimensions"), ordering="dimension_total")
    def dimension_count(self, obj: MaturityModel) -> int:
        return obj.dimension_total

    @admin.display(description=_("rounds"), ordering="round_total")
    def round_count(self, obj: MaturityModel) -> int:
        return obj.round_total

    @admin.display(description=_("frozen"), boolean=True)
    def frozen(self, obj: MaturityModel) -> bool:
        return obj.round_total > 0

    @admin.display(description=_("Is the instrument any good?"))
    def reliability_report(self, obj: MaturityModel) -> str:
        """Alpha per dimension and item-rest per question, for the model's newest closed rounds."""
        if obj is None or obj.pk is None:
            return "–"
        rounds: dict[Round, list[DimensionReliability]] = {}
        for row in DimensionReliability.objects.for_model(obj):
            if row.round not in rounds and len(rounds) == self.REPORT_ROUNDS:
                break
            rounds.setdefault(row.round, []).append(row)
        return render_to_string(
            "admin/assessments/maturitymodel/_reliability.html",
            {
                "rounds": list(rounds.items()),
                "weak_item_rest": reliability.WEAK_ITEM_REST,
                "acceptable_alpha": reliability.ACCEPTABLE_ALPHA,
            },
        )

    @admin.action(description=_("Copy as new version"))
    def copy_as_new_version(self, request: HttpRequest, queryset) -> None:
        for model in queryset:
            copy = services.model_copy_as_new_version(model=model, by=request.user)
            self.message_user(
                request,
                _("%(model)s copied as version %(version)s (unpublished, editable).")
                % {"model": model.name, "version": copy.version},
                messages.SUCCESS,
            )


@admin.register(Dimension)
class DimensionAdmin(FrozenModelMixin, admin.ModelAdmin):
    list_display = ["name", "key", "model", "order", "weight"]
    list_filter = ["model"]
    list_select_related = ["model"]
    search_fields = ["name", "key", "description"]
    inlines = [QuestionInline]


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "model",
        "opens_at",
        "end_display",
        "status_display",
        "k",
        "k_detail",
        "responses",
    ]
    list_filter = ["model", "teams__group"]
    list_select_related = ["model"]
    search_fields = ["name"]
    filter_horizontal = ["teams"]
    readonly_fields = ["closed_at", "scored_at", "created_by", "end_display"]
    actions = ["close_now"]
    date_hierarchy = "opens_at"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                submitted=Count(
                    "responses", filter=Q(responses__status=Response.Status.SUBMITTED), distinct=True
                )
            )
        )

    def get_fields(self, request, obj=None):
        fields = [name for name in super().get_fields(request, obj) if name != "end_display"]
        if obj is not None and obj.is_closed:
            # A closed round says when it closed, not when it "closes".
            fields = ["end_display" if name == "closes_at" else name for name in fields]
            fields.remove("closed_at")
        return fields

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.has_opened:
            fields += [name.removesuffix("_id") for name in FROZEN_WHEN_OPEN] + ["teams"]
        return fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        if not change:
            record(AuditEvent.Action.ROUND_CREATED, obj, by=request.user, via="admin")

    @admin.display(description=_("status"))
    def status_display(self, obj: Round) -> str:
        return obj.status().label

    @admin.display(description=_("responses submitted"), ordering="submitted")
    def responses(self, obj: Round) -> int:
        return obj.submitted

    @admin.display(description=_("end"), ordering="closes_at")
    def end_display(self, obj: Round) -> str:
        moment = moment_text(obj.ended_at)
        if obj.is_closed:
            return _("Closed at %(when)s") % {"when": moment}
        return _("Closes at %(when)s") % {"when": moment}

    @admin.action(description=_("Close now and store the scores"))
    def close_now(self, request: HttpRequest, queryset):
        """Asks first, on a page of its own (as Django's delete action does): closing cannot be undone."""
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(
                request,
                "admin/assessments/round/close_confirmation.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("Close these rounds now?"),
                    "opts": self.model._meta,
                    "rounds": list(queryset.order_by("closes_at", "pk")),
                    "open_rounds": [r for r in queryset if r.scored_at is None],
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                },
            )
        closed = 0
        for round_ in queryset.filter(scored_at__isnull=True):
            services.round_close(round=round_, by=request.user)
            closed += 1
        self.message_user(
            request,
            ngettext("%(n)d round closed and scored.", "%(n)d rounds closed and scored.", closed)
            % {"n": closed},
            messages.SUCCESS,
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    """Stored aggregates are computed, never edited: rebuild them with manage.py rebuild_scores."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PublishedAdmin(ReadOnlyAdmin):
    """Lists through the model's ``published()`` read path: the admin shows no more than the dashboards."""

    def get_queryset(self, request):
        return super().get_queryset(request).published()


@admin.register(TeamScore)
class TeamScoreAdmin(ReadOnlyAdmin):
    list_display = ["team", "round", "responses", "invited", "hidden", "index", "level"]
    list_filter = ["round", "hidden", "team__group"]
    list_select_related = ["team", "round"]
    search_fields = ["team__name", "round__name"]


@admin.register(DimensionScore)
class DimensionScoreAdmin(PublishedAdmin):
    list_display = ["team", "round", "dimension", "mean", "index", "level", "responses", "stdev"]
    list_filter = ["round", "dimension_key", "level"]
    list_select_related = ["team", "round", "dimension"]
    search_fields = ["team__name", "round__name", "dimension_key"]


@admin.register(QuestionDistribution)
class QuestionDistributionAdmin(PublishedAdmin):
    list_display = [
        "team",
        "round",
        "question_key",
        "counts",
        "answered",
        "dont_know",
        "not_applicable",
        "mean",
    ]
    list_filter = ["round"]
    list_select_related = ["team", "round"]
    search_fields = ["team__name", "question_key"]


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    list_display = ["name", "model", "cadence", "open_days", "starts_on", "paused", "ends_on", "next_round"]
    list_filter = ["cadence", "paused"]
    search_fields = ["name"]
    filter_horizontal = ["teams"]
    readonly_fields = ["created_by", "created_at"]
    actions = ["pause", "resume"]

    @admin.display(description=_("next round opens"))
    def next_round(self, obj: Schedule) -> str:
        upcoming = obj.upcoming(count=1)
        return moment_text(upcoming[0].opens_at) if upcoming else "–"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Pause (open no new round)"))
    def pause(self, request, queryset):
        for schedule in queryset:
            scheduling.schedule_change(schedule=schedule, action="pause", by=request.user)

    @admin.action(description=_("Resume"))
    def resume(self, request, queryset):
        for schedule in queryset:
            scheduling.schedule_change(schedule=schedule, action="resume", by=request.user)


@admin.register(ReminderBatch)
class ReminderBatchAdmin(ReadOnlyAdmin):
    """Reminder moments with their counts; who was reminded is never listed (it names people)."""

    list_display = ["round", "kind", "at", "queued", "skipped", "sent", "failed"]
    list_filter = ["kind", "round"]
    list_select_related = ["round"]
    actions = ["retry_failed"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                sent_total=Count("deliveries", filter=Q(deliveries__status=ReminderDelivery.Status.SENT)),
                failed_total=Count("deliveries", filter=Q(deliveries__status=ReminderDelivery.Status.FAILED)),
            )
        )

    @admin.display(description=_("sent"), ordering="sent_total")
    def sent(self, obj) -> int:
        return obj.sent_total

    @admin.display(description=_("failed after every retry"), ordering="failed_total")
    def failed(self, obj) -> int:
        return obj.failed_total

    @admin.action(description=_("Retry the emails that failed"))
    def retry_failed(self, request, queryset):
        retried = scheduling.reminders_retry(batches=queryset)
        self.message_user(
            request,
            ngettext("%(n)d email queued again.", "%(n)d emails queued again.", retried) % {"n": retried},
            messages.SUCCESS,
        )
