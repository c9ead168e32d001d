from django.conf import settings
from django.utils.functional import SimpleLazyObject

from portal.middleware import ZONE_KEY
from teams.access import leads_anything


def site(request):
    """Version for the footer, the viewer's roles for the navigation (queried only when used), and
    whether to ask the browser for the person's time zone (none known yet)."""
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    return {
        "gemba_version": settings.VERSION,
        "viewer_leads": SimpleLazyObject(lambda: bool(user and leads_anything(user))),
        "ask_time_zone": bool(
            user is not None and user.is_authenticated and session is not None and not session.get(ZONE_KEY)
        ),
    }
