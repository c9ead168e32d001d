"""Password sign-in, which an organisation on single sign-on can switch off everywhere at once."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class PasswordBackend(ModelBackend):
    """Django's password check, refused for every form (Gemba's and the admin's) when
    GEMBA_PASSWORD_LOGIN is off; people already signed in are kept by the backend that signed
    them in."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not settings.GEMBA_PASSWORD_LOGIN:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
