import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

application = get_wsgi_application()

# Templates compiled and catalogs loaded before the first request (portal.warming.process).
from portal import warming  # noqa: E402 - needs the application's settings and apps

warming.process()
