from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from delivery.models import ApiToken, Deployment, Incident
from delivery.services import api_token_revoke


@admin.register(Deployment)
class DeploymentAdmin(admin.ModelAdmin):
    list_display = ["external_id", "team", "service", "environment", "deployed_at", "status", "is_rework"]
    list_filter = ["status", "is_rework", "environment", "team__group", "team"]
    list_select_related = ["team"]
    search_fields = ["external_id", "service", "team__name", "team__slug"]
    date_hierarchy = "deployed_at"
    autocomplete_fields = ["team"]
    readonly_fields = ["created_at"]


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ["external_id", "team", "service", "severity", "started_at", "resolved_at", "caused_by"]
    list_filter = ["severity", ("resolved_at", admin.EmptyFieldListFilter), "team__group", "team"]
    list_select_related = ["team", "caused_by"]
    search_fields = ["external_id", "service", "team__name", "team__slug", "caused_by__external_id"]
    date_hierarchy = "started_at"
    autocomplete_fields = ["team"]
    raw_id_fields = ["caused_by"]
    readonly_fields = ["created_at"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created on the team delivery page or with `manage.py create_api_token`, where
    the raw token is shown once; here they can be read, renamed and revoked. The hash never shows."""

    list_display = ["name", "team", "shown_part", "created_by", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "team__group", "team"]
    list_select_related = ["team", "created_by"]
    search_fields = ["name", "shown_part", "team__name", "team__slug", "created_by__username"]
    fields = ["name", "team", "shown_part", "created_by", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["team", "shown_part", "created_by", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            api_token_revoke(token=token, by=request.user)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count) % {"count": count},
            messages.SUCCESS,
        )
