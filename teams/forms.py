from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from teams.preferences import time_zones


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        help_text=_("Pages, charts and e-mails. The survey too, where its round offers the language."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        help_text=_("Every date and time is shown in it; round windows you set are read in it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("As my browser says")), *settings.LANGUAGES]
        self.fields["time_zone"].choices = [("", _("Not set (the site's: %s)") % settings.TIME_ZONE)] + [
            (name, name.replace("_", " ")) for name in time_zones()
        ]


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    next = forms.CharField(required=False)


class TimeZoneForm(forms.Form):
    time_zone = forms.CharField(max_length=64)

    def clean_time_zone(self) -> str:
        name = self.cleaned_data["time_zone"].strip()
        if name not in time_zones():
            raise forms.ValidationError(_("Unknown time zone."))
        return name
