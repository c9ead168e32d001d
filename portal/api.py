"""The site's JSON API under /api/v1/: one NinjaAPI that composes each app's router.

Apps add their routers here (``api.add_router(...)``); the OpenAPI schema is at
/api/v1/openapi.json and its docs at /api/v1/docs, both for signed-in users.

Every answer under /api/v1/ is JSON, errors too: ninja answers inside its operations; the
wrapper ``GembaAPI.urls`` puts around each of its URLs turns what comes from outside them (the
405 of a known path, the 404 of the API's root) into ``{"detail": "..."}``, and ``not_found``
answers the paths no URL knows. One exception: the docs page sends a person who is not signed in
to the sign-in page, as every other page does (a redirect without body, not an error page).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.openapi.docs import Swagger
from ninja.openapi.views import openapi_json
from ninja.parser import Parser

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


class DuplicatedKeys(ValueError):
    """A JSON object in the body names a key twice; ``paths`` leads to each such key."""

    def __init__(self, paths: list[tuple[str | int, ...]]) -> None:
        super().__init__(", ".join(".".join(str(part) for part in path) for path in paths))
        self.paths = paths


class StrictJSONParser(Parser):
    """ninja's JSON parser, refusing an object that names a key twice, at any depth.

    ``json.loads`` keeps the last of two equal keys without a word: ``{"status": "failure",
    "status": "success"}`` would be read as a success. Which one the sender meant is unknown, so
    the body is refused (422, see ``_http_error``).
    """

    def parse_body(self, request: HttpRequest) -> Any:
        # By id(), with the object itself kept alive: an object dropped as the loser of a
        # duplicated key must not free its id for a later, innocent one.
        duplicated: dict[int, tuple[dict, list[str]]] = {}

        def make_object(pairs: list[tuple[str, Any]]) -> dict:
            obj = dict(pairs)
            if len(obj) < len(pairs):
                counts = Counter(key for key, _value in pairs)
                duplicated[id(obj)] = (obj, [key for key, count in counts.items() if count > 1])
            return obj

        data = json.loads(request.body, object_pairs_hook=make_object)
        if duplicated:
            raise DuplicatedKeys(_duplicated_paths(data, duplicated))
        return data


def _duplicated_paths(
    data: Any, duplicated: dict[int, tuple[dict, list[str]]]
) -> list[tuple[str | int, ...]]:
    # Iterative: a body nested a thousand levels deep must not end in a RecursionError.
    paths: list[tuple[str | int, ...]] = []
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            paths += [(*path, key) for key in duplicated.get(id(value), (value, []))[1]]
            stack += [((*path, key), item) for key, item in value.items()]
        elif isinstance(value, list):
            stack += [((*path, index), item) for index, item in enumerate(value)]
    return sorted(paths, key=lambda path: [str(part) for part in path])


class GembaAPI(NinjaAPI):
    """The NinjaAPI whose every URL answers JSON, even where ninja or Django would not."""

    @property
    def urls(self):
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            pattern.callback = self._json_errors(pattern.callback)
        return patterns, app_name, namespace

    def _json_errors(self, view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            method = request.method
            # ninja finds an operation by its method and knows no HEAD: a HEAD is the GET without
            # its body, which the server leaves out (as Django's own views do for HEAD).
            if method == "HEAD":
                request.method = "GET"
            try:
                response = view(request, *args, **kwargs)
            except Http404:  # the API's root, which ninja keeps for reversing URLs only
                return not_found(request)
            finally:
                request.method = method
            if response.status_code == 405 and not response.get("Content-Type", "").startswith(
                "application/json"
            ):
                return method_not_allowed(request, response["Allow"])
            return response

        # ninja's operations are CSRF-exempt already; the docs views answer GET and HEAD only,
        # so a POST gets its 405 rather than the CSRF failure page.
        return csrf_exempt(wrapper)


def method_not_allowed(request: HttpRequest, allow: str) -> HttpResponse:
    methods = {method.strip().upper() for method in allow.split(",") if method.strip()}
    if "GET" in methods:
        methods.add("HEAD")
    allowed = ", ".join(sorted(methods))
    response = api.create_response(
        request,
        {
            "detail": _("Method %(method)s is not allowed here. Allowed: %(allowed)s.")
            % {"method": request.method, "allowed": allowed}
        },
        status=405,
    )
    response["Allow"] = allowed
    return response


@csrf_exempt
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any method on an address under /api/v1/ that no URL knows (portal/urls.py mounts it last)."""
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


def _docs_decorator(view: Callable) -> Callable:
    # The schema is a JSON document for tools: without a session it is a JSON 401. The docs
    # page is for a person in a browser: it sends them to sign in, like every other page.
    if getattr(view, "func", None) is openapi_json:
        signed_in = _signed_in_or_401(view)
    else:
        signed_in = login_required(view)
    # Read-only: other methods are 405 (checked before sign-in, as on every other page).
    return require_safe(signed_in)


def _signed_in_or_401(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return api.create_response(request, {"detail": _("Sign in first.")}, status=401)
        return view(request, *args, **kwargs)

    return wrapper


api = GembaAPI(
    title="Gemba API",
    version="1",
    description=(
        "Pipelines report deployments and incidents with a team's API token "
        "(`Authorization: Bearer <token>`); leads create tokens on their team's delivery page."
    ),
    urls_namespace="api",
    docs=ScriptFreeSwagger(),
    docs_decorator=_docs_decorator,
    parser=StrictJSONParser(),
)
api.add_router("/", delivery_router)
api.add_router("/", assessments_router)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja turns any parser error into "400 Cannot parse request body"; a duplicated key is a
    # readable body with one field at fault, so it gets the field error of every other 422.
    if isinstance(exc.__cause__, DuplicatedKeys):
        errors = [
            {
                "loc": ["body", "payload", *path],
                "msg": _("the key %(key)s is given more than once") % {"key": path[-1]},
                "type": "duplicated_key",
            }
            for path in exc.__cause__.paths
        ]
        return api.create_response(request, {"detail": errors}, status=422)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)
