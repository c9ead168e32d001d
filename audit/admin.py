from django.contrib import admin

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is written by the code that does the work, never edited."""

    list_display = ["at", "actor_name", "action", "subject_type", "subject", "details"]
    list_filter = ["action", "subject_type", ("actor", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["actor_name", "subject", "subject_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
