"""System checks: a group map that cannot be read is found at start-up, not at someone's sign-in."""

from django.conf import settings
from django.core.checks import Error, register

from accounts import mapping


@register()
def group_map_readable(app_configs, **kwargs):
    try:
        mapping.parse_rules(settings.GEMBA_OIDC_GROUP_MAP)
    except mapping.RuleError as error:
        return [Error(f"GEMBA_OIDC_GROUP_MAP: {error}", id="accounts.E001")]
    return []
