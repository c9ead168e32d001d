from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from delivery.models import (
    ApiToken,
    DeliveryRules,
    DeliveryVersion,
    Deployment,
    Incident,
    ServiceRoute,
    Webhook,
    WebhookDelivery,
)
from delivery.services import api_token_revoke, webhook_revoke


class BumpsDeliveryVersion:
    """The admin's bulk delete goes past each record's delete(): the teams' cached keys go too."""

    def delete_queryset(self, request, queryset):
        team_ids = set(queryset.values_list("team_id", flat=True))
        super().delete_queryset(request, queryset)
        DeliveryVersion.objects.bump(team_ids)


@admin.register(Deployment)
class DeploymentAdmin(BumpsDeliveryVersion, admin.ModelAdmin):
    list_display = [
        "external_id", "team", "service", "environment", "is_production", "deployed_at", "status",
        "is_rework", "source",
    ]  # fmt: skip
    list_filter = ["is_production", "status", "is_rework", "source", "environment", "team__group", "team"]
    list_select_related = ["team"]
    search_fields = ["external_id", "service", "commit_sha", "team__name", "team__slug"]
    date_hierarchy = "deployed_at"
    autocomplete_fields = ["team"]
    readonly_fields = ["created_at", "routed_by", "placed_by", "source", "origin"]


@admin.register(Incident)
class IncidentAdmin(BumpsDeliveryVersion, admin.ModelAdmin):
    list_display = [
        "external_id", "team", "service", "severity", "started_at", "resolved_at", "caused_by", "source",
    ]  # fmt: skip
    list_filter = ["severity", ("resolved_at", admin.EmptyFieldListFilter), "source", "team__group", "team"]
    list_select_related = ["team", "caused_by"]
    search_fields = ["external_id", "service", "team__name", "team__slug", "caused_by__external_id"]
    date_hierarchy = "started_at"
    autocomplete_fields = ["team"]
    raw_id_fields = ["caused_by"]
    readonly_fields = ["created_at", "routed_by", "linked_by", "source"]


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


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    """Webhooks are created on the team delivery page or with `manage.py create_webhook`, where the
    secret is shown once; here they can be read and revoked. Secrets never show."""

    list_display = ["__str__", "provider", "team", "name", "created_at", "last_delivery_at", "revoked_at"]
    list_filter = ["provider", ("revoked_at", admin.EmptyFieldListFilter), "team__group", "team"]
    list_select_related = ["team"]
    search_fields = ["name", "team__name", "team__slug", "public_id"]
    fields = [
        "team",
        "provider",
        "name",
        "public_id",
        "created_by",
        "created_at",
        "last_delivery_at",
        "revoked_at",
    ]
    readonly_fields = [
        "team",
        "provider",
        "public_id",
        "created_by",
        "created_at",
        "last_delivery_at",
        "revoked_at",
    ]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Revoke the selected webhooks"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[Webhook]) -> None:
        count = 0
        for webhook in queryset.filter(revoked_at__isnull=True):
            webhook_revoke(webhook=webhook, by=request.user)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d webhook revoked.", "%(count)d webhooks revoked.", count) % {"count": count},
            messages.SUCCESS,
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["received_at", "webhook", "event", "outcome", "summary"]
    list_filter = ["outcome", "webhook__provider", "webhook__team"]
    list_select_related = ["webhook__team"]
    search_fields = ["delivery_id", "event", "summary"]
    date_hierarchy = "received_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ServiceRouteInline(admin.TabularInline):
    model = ServiceRoute
    fields = ["position", "pattern", "team", "service"]
    autocomplete_fields = ["team"]
    extra = 1


@admin.register(DeliveryRules)
class DeliveryRulesAdmin(admin.ModelAdmin):
    """Group rules are kept here; a team's own rules also on its delivery page (with a dry run).
    Saving here does not re-apply them to stored records: the team page's "Save and apply" does."""

    list_display = ["__str__", "team", "group", "updated_at"]
    list_select_related = ["team", "group"]
    autocomplete_fields = ["team", "group"]
    inlines = [ServiceRouteInline]
