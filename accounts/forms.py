from django import forms
from django.utils.translation import gettext_lazy as _

MAX_BYTES = 50 * 1024 * 1024


class OrgImportForm(forms.Form):
    file = forms.FileField(
        label=_("Organisation file (CSV or JSON)"),
        help_text=_("The formats are in the README (Importing your organisation) and docs/org-example.csv."),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: say what would change, change nothing"), required=False, initial=True
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 50 MB."))
        return upload
