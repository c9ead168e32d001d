"""Signal receivers of the portal: every action ends with a message, signing out too."""

from django.contrib import messages
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver
from django.utils.translation import gettext as _


@receiver(user_logged_out)
def say_signed_out(sender, request, user, **kwargs) -> None:
    # The message outlives the flushed session: it travels in the messages cookie to the login page.
    if request is not None:
        messages.info(request, _("You are signed out. Sign in again any time."), fail_silently=True)
