from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from improvements import flow
from improvements.models import Action, Experiment, StageChange, WipLimit


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        today = timezone.localdate()
        if self.value() == "yes":
            return queryset.overdue(today)
        if self.value() == "no":
            return queryset.exclude(pk__in=Action.objects.overdue(today).values("pk"))
        return queryset


class ExperimentInline(admin.StackedInline):
    model = Experiment
    extra = 0
    fields = ["date", "step", "expected", "happened", "learned"]


class StageChangeInline(admin.TabularInline):
    """The stage history is a record of what happened: shown, never edited."""

    model = StageChange
    extra = 0
    fields = ["at", "from_stage", "to_stage", "by"]
    readonly_fields = fields
    can_delete = False
    ordering = ["at", "pk"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Action)
class ActionAdmin(SimpleHistoryAdmin):
    list_display = ["title", "team", "stage", "owner", "due_date", "overdue", "dimension", "stage_changed_at"]
    list_filter = [
        ("team", admin.RelatedOnlyFieldListFilter),
        "stage",
        ("owner", admin.RelatedOnlyFieldListFilter),
        OverdueFilter,
    ]
    list_select_related = ["team", "owner", "dimension"]
    search_fields = ["title", "team__name", "owner__username", "current_condition", "countermeasure"]
    raw_id_fields = ["owner", "dimension", "source_round"]
    date_hierarchy = "created_at"
    inlines = [ExperimentInline, StageChangeInline]
    fieldsets = [
        (None, {"fields": ["team", "title", "owner", "due_date", "stage", "dimension", "source_round"]}),
        (
            _("A3"),
            {"fields": ["current_condition", "target_condition", "root_cause", "countermeasure", "outcome"]},
        ),
        (_("Record"), {"fields": ["stage_changed_at", "created_at", "created_by"]}),
    ]
    # Moves go through the board, so that each one is recorded and WIP limits hold: a new action
    # starts in Plan here too.
    readonly_fields = ["stage", "stage_changed_at", "created_at", "created_by"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "team"] if obj is not None else fields

    def save_model(self, request: HttpRequest, obj: Action, form, change: bool) -> None:
        with transaction.atomic():
            if not change:
                obj.created_by = request.user
                obj.stage_changed_at = obj.created_at = timezone.now()
            super().save_model(request, obj, form, change)

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj: Action) -> bool:
        return flow.is_overdue(obj.stage, obj.due_date, timezone.localdate())


@admin.register(WipLimit)
class WipLimitAdmin(admin.ModelAdmin):
    list_display = ["team", "stage", "limit"]
    list_filter = ["stage", ("team", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["team"]
    search_fields = ["team__name"]
