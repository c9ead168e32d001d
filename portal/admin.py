from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

admin.site.site_header = _("Gemba administration")
admin.site.site_title = _("Gemba admin")
admin.site.index_title = _("Run Gemba")


# --- Background tasks: django-tasks-db's read-only list, with a way to run a failed one again ---

admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskAdmin(DBTaskResultAdmin):
    actions = ["run_again"]

    @admin.action(description=_("Run again (failed tasks)"))
    def run_again(self, request, queryset):
        """Enqueue each failed task anew with its arguments; our tasks are safe to run twice."""
        again = 0
        for result in queryset.failed():
            args = result.args_kwargs
            result.task.enqueue(*args.get("args", []), **args.get("kwargs", {}))
            again += 1
        self.message_user(
            request,
            ngettext("%(n)d task queued again.", "%(n)d tasks queued again.", again) % {"n": again},
            messages.SUCCESS,
        )
