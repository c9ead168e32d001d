from django.conf import settings
from django.utils.functional import SimpleLazyObject

from teams.access import leads_anything


def site(request):
    """Version for the footer and the viewer's roles for the navigation (queried only when used)."""
    user = getattr(request, "user", None)
    return {
        "gemba_version": settings.VERSION,
        "viewer_leads": SimpleLazyObject(lambda: bool(user and leads_anything(user))),
    }
