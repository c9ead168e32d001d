from django.contrib import admin
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Gemba administration")
admin.site.site_title = _("Gemba admin")
admin.site.index_title = _("Run Gemba")
