from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from teams.models import Group, GroupLead, Membership, Team


class GroupLeadInline(admin.TabularInline):
    model = GroupLead
    extra = 0
    autocomplete_fields = ["user"]


class TeamInline(admin.TabularInline):
    model = Team
    extra = 0
    fields = ["name", "slug", "active"]
    show_change_link = True


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "team_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [GroupLeadInline, TeamInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(team_total=Count("teams"))

    @admin.display(description=_("teams"), ordering="team_total")
    def team_count(self, obj: Group) -> int:
        return obj.team_total


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "group", "active"]
    list_filter = ["active", "group"]
    list_select_related = ["group"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "role"]
    list_filter = ["role", "team__group", "team"]
    list_select_related = ["user", "team"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "team__name"]
    autocomplete_fields = ["user", "team"]


@admin.register(GroupLead)
class GroupLeadAdmin(admin.ModelAdmin):
    list_display = ["user", "group"]
    list_filter = ["group"]
    list_select_related = ["user", "group"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "group__name"]
    autocomplete_fields = ["user", "group"]
