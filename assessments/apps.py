from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _shipped_translations(sender, **kwargs) -> None:
    from assessments.services import shipped_translations_sync

    shipped_translations_sync()


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Assessments")

    def ready(self) -> None:
        # The shipped models' translations follow their files (assessments/shipped/) after each
        # migrate; the migrations that created the models read only the source texts.
        post_migrate.connect(_shipped_translations, sender=self)
