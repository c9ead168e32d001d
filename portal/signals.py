"""Signal receivers of the portal: the person's language and time zone into their new session,
and every action ends with a message, signing out too."""

from django.contrib import messages
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.utils.translation import gettext as _

from portal.middleware import LANGUAGE_KEY, ZONE_KEY
from teams.preferences import preferences_of


@receiver(user_logged_in)
def preferences_into_session(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    preferences = preferences_of(user)
    request.session[LANGUAGE_KEY] = preferences.language
    request.session[ZONE_KEY] = preferences.time_zone


@receiver(user_logged_out)
def say_signed_out(sender, request, user, **kwargs) -> None:
    # The message outlives the flushed session: it travels in the messages cookie to the login page.
    if request is not None:
        messages.info(request, _("You are signed out. Sign in again any time."), fail_silently=True)
