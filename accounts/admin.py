from django.contrib import admin, messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.directory import Unreadable
from accounts.forms import OrgImportForm
from accounts.importing import ImportRejected, org_import
from accounts.models import DirectoryGroup, ExternalAccount


@admin.register(ExternalAccount)
class ExternalAccountAdmin(admin.ModelAdmin):
    """People whom the identity provider or a directory import keeps. The import page is at
    ``Import organisation`` (this list's top right)."""

    list_display = ["user", "source", "issuer", "subject", "last_seen_at", "removed_at"]
    list_filter = ["source", "user__is_active"]
    search_fields = ["user__username", "user__email", "subject", "external_id"]
    list_select_related = ["user"]
    readonly_fields = ["user", "source", "issuer", "subject", "external_id", "last_seen_at", "removed_at"]
    change_list_template = "admin/accounts/externalaccount/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="accounts_import_org"),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload a file: a dry run first (the default), then the import itself."""
        if not request.user.is_superuser:
            messages.error(request, _("Only superusers import an organisation."))
            return TemplateResponse(
                request, "admin/accounts/import.html", self._context(request, OrgImportForm()), status=403
            )
        plan, problems = None, []
        form = OrgImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                plan = org_import(
                    content=upload.read(),
                    filename=upload.name,
                    dry_run=form.cleaned_data["dry_run"],
                    by=request.user,
                )
            except Unreadable as error:
                form.add_error("file", str(error))
            except ImportRejected as rejected:
                problems = rejected.problems
        context = self._context(request, form)
        context.update(plan=plan, problems=problems[:500], problem_count=len(problems))
        return TemplateResponse(request, "admin/accounts/import.html", context)

    def _context(self, request, form) -> dict:
        return {
            **self.admin_site.each_context(request),
            "title": gettext_lazy("Import organisation"),
            "form": form,
            "opts": self.model._meta,
        }


@admin.register(DirectoryGroup)
class DirectoryGroupAdmin(admin.ModelAdmin):
    """The identity provider's groups as SCIM provisioning keeps them: read here, changed at the
    provider (a change here would be undone by its next push)."""

    list_display = ["display_name", "external_id", "member_count", "changed_at"]
    search_fields = ["display_name", "external_id", "members__username"]
    readonly_fields = ["display_name", "external_id", "members", "changed_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("members"))

    @admin.display(description=gettext_lazy("members"), ordering="member_count")
    def member_count(self, group) -> int:
        return group.member_count

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # the provider's next push would bring it back; its teams would not follow
