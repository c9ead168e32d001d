"""The site's JSON API under /api/v1/: one NinjaAPI that composes each app's router.

Apps add their routers here (``api.add_router(...)``); the OpenAPI schema is at
/api/v1/openapi.json and its docs at /api/v1/docs, both for signed-in users.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from assessments.api import router as assessments_router
from delivery.api import router as delivery_router


class ScriptFreeSwagger(Swagger):
    """Swagger UI from the files django-ninja ships, with no inline script (our CSP forbids it).

    ninja's own template carries its settings in an inline ``<script>`` block; ours puts them in
    a data attribute that static/js/api-docs.js reads. The online validator badge is switched
    off: it would load an image from another host.
    """

    template = "portal/api_docs.html"

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs), "validatorUrl": None}
        return render(request, self.template, {"api": api, "swagger_settings": json.dumps(settings)})


api = NinjaAPI(
    title="Gemba API",
    version="1",
    description=(
        "Pipelines report deployments and incidents with a team's API token "
        "(`Authorization: Bearer <token>`); leads create tokens on their team's delivery page."
    ),
    urls_namespace="api",
    docs=ScriptFreeSwagger(),
    # Read-only pages: other methods are 405 (checked before sign-in, as on every other page).
    docs_decorator=lambda view: require_GET(login_required(view)),
)
api.add_router("/", delivery_router)
api.add_router("/", assessments_router)
