"""Background work of the portal: pages made ready before anyone looks (portal.warming)."""

from __future__ import annotations

from django.tasks import task

from portal import warming


@task
def warm_due() -> dict[str, int]:
    """Warm the pages of newly scored rounds and of teams whose delivery data changed."""
    return warming.due()
