from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notifications.models import ChatNotification, ChatWebhook
from teams.preferences import time_zones


class ChatWebhookForm(forms.ModelForm):
    """The URL is write-only: typed once, never shown back (it lets anyone post to the channel)."""

    url = forms.URLField(
        label=_("Webhook URL"),
        max_length=500,
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_(
            "Slack: https://hooks.slack.com/services/…; Teams: the URL of a Workflows webhook. "
            "Leave empty to keep the one saved."
        ),
    )

    class Meta:
        model = ChatWebhook
        fields = [
            "name",
            "service",
            "url",
            "team",
            "group",
            "on_round_opened",
            "on_two_days_left",
            "on_results_ready",
            "language",
            "time_zone",
            "active",
        ]

    field_order = ["name", "service", "url"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"] = forms.ChoiceField(
            label=_("language"),
            required=False,
            choices=[("", _("the site's")), *settings.LANGUAGES],
            help_text=self.fields["language"].help_text,
        )
        self.fields["time_zone"] = forms.ChoiceField(
            label=_("time zone"),
            required=False,
            choices=[("", _("the site's")), *[(name, name) for name in time_zones()]],
            help_text=self.fields["time_zone"].help_text,
        )

    def clean_url(self):
        url = self.cleaned_data["url"]
        if not url:
            if self.instance.pk:
                return None  # keep the one saved
            raise forms.ValidationError(_("Paste the webhook URL the chat service gave you."))
        if not url.startswith("https://") and not settings.GEMBA_CHAT_ALLOW_HTTP:
            raise forms.ValidationError(_("The URL must start with https://."))
        return url

    def save(self, commit=True):
        if self.cleaned_data.get("url"):
            self.instance.url = self.cleaned_data["url"]
        return super().save(commit)

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("team")) == bool(cleaned.get("group")):
            raise forms.ValidationError(_("Choose a team or a group, not both."))
        return cleaned


@admin.register(ChatWebhook)
class ChatWebhookAdmin(admin.ModelAdmin):
    form = ChatWebhookForm
    list_display = ["name", "service", "host", "team", "group", "active", "failed"]
    list_filter = ["service", "active"]
    list_select_related = ["team", "group"]
    search_fields = ["name"]

    @admin.display(description=_("failed notifications"))
    def failed(self, obj):
        return obj.notifications.filter(status=ChatNotification.Status.FAILED).count()


@admin.register(ChatNotification)
class ChatNotificationAdmin(admin.ModelAdmin):
    list_display = ["webhook", "round", "event", "status", "attempts", "last_error", "sent_at"]
    list_filter = ["status", "event"]
    list_select_related = ["webhook", "round"]
    actions = ["retry"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Retry the failed ones"))
    def retry(self, request, queryset):
        from notifications.tasks import chat_deliver

        failed = list(queryset.filter(Q(status=ChatNotification.Status.FAILED)).values_list("pk", flat=True))
        ChatNotification.objects.filter(pk__in=failed).update(
            status=ChatNotification.Status.QUEUED, attempts=0
        )
        for pk in failed:
            chat_deliver.enqueue(pk)
        self.message_user(
            request,
            ngettext("%(n)d notification queued again.", "%(n)d notifications queued again.", len(failed))
            % {"n": len(failed)},
            messages.SUCCESS,
        )
