"""The portal's page addresses that the apps below it link and redirect to (SPEC §6 keeps them
stable): the portal mounts its views on these routes (portal/urls.py), and a domain app builds a
link with ``address(...)`` instead of reversing a name the portal owns. The lowest floor, beside
``caching``: it imports nothing of ours.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

HOME = ""
TEAM_DASHBOARD = "teams/<slug:slug>/"
TEAM_REVIEW = "teams/<slug:slug>/review/"
TEAM_DELIVERY = "teams/<slug:slug>/delivery/"
ACTION_BOARD = "teams/<slug:slug>/actions/"
ORG = "org/"

_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")


def address(route: str, *, query: dict | None = None, **parameters) -> str:
    """The path of a route with its parameters filled in: ``address(TEAM_REVIEW, slug="checkout")``
    is "/teams/checkout/review/"; ``query`` adds a query string."""
    path = "/" + _PARAMETER.sub(lambda match: str(parameters[match.group(1)]), route)
    return f"{path}?{urlencode(query)}" if query else path
