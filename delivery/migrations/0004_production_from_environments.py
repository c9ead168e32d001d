"""Before rules, the keys counted deployments whose environment was in GEMBA_DELIVERY_ENVIRONMENTS
at query time; the stored flag now carries that decision, so mark the existing rows the same way
(every row when the setting was empty, as the keys counted then)."""

from django.conf import settings
from django.db import migrations


def mark_production(apps, schema_editor):
    Deployment = apps.get_model("delivery", "Deployment")
    environments = list(getattr(settings, "GEMBA_DELIVERY_ENVIRONMENTS", []))
    if environments:
        Deployment.objects.exclude(environment__in=environments).update(is_production=False)
        Deployment.objects.filter(environment__in=environments).update(is_production=True)


class Migration(migrations.Migration):
    dependencies = [("delivery", "0003_webhooks_rules_dora_2024")]

    operations = [migrations.RunPython(mark_production, migrations.RunPython.noop)]
