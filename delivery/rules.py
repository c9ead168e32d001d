"""Delivery rules: what counts as production, which team a service or path belongs to, what is
rework, and how an incident finds its deployment. Pure: no database (only
gettext, so the reasons read in the site's language).

Every decision comes with the words that say which rule made it, so each stored deployment and
incident can show why it is where it is. Patterns are shell-style (``prod*``, ``acme/shop:
services/checkout/*``), matched without regard to case.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fnmatch import fnmatchcase

from django.utils.translation import gettext as _

# A commit SHA as tools write it: 7 to 40 hex digits, standing alone.
SHA = re.compile(r"\b[0-9a-f]{7,40}\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Route:
    """Events whose origin matches ``pattern`` belong to ``team`` (an id), as ``service`` if set."""

    pattern: str
    team: int
    team_name: str = ""
    service: str = ""


@dataclass(frozen=True, slots=True)
class RuleSet:
    """The rules in force for a team: its own, else its group's, else the defaults."""

    scope: str  # the words for where they come from: "rules of team Checkout", "the defaults"
    production: tuple[str, ...] = ("production", "prod")
    rework_labels: tuple[str, ...] = ("rework", "hotfix", "rollback")
    rework_branches: tuple[str, ...] = ("hotfix/*", "hotfix-*")
    rework_titles: tuple[str, ...] = ("hotfix*", "revert*", "rollback*")
    deploy_workflows: tuple[str, ...] = ()
    link_window: timedelta = timedelta(hours=24)
    routes: tuple[Route, ...] = field(default_factory=tuple)


def patterns(text: str) -> tuple[str, ...]:
    """One pattern per line (or comma), blanks and surrounding spaces dropped, lower case."""
    parts = (part.strip().lower() for line in text.splitlines() for part in line.split(","))
    return tuple(dict.fromkeys(part for part in parts if part))


def _first_match(value: str, candidates: Iterable[str]) -> str | None:
    value = value.strip().lower()
    return next((pattern for pattern in candidates if value and fnmatchcase(value, pattern)), None)


def production(rules: RuleSet, environment: str, tier: str = "") -> tuple[bool, str]:
    """Whether a deployment to this environment counts as production, and why."""
    pattern = _first_match(environment, rules.production)
    if pattern is not None:
        return True, _("production: environment “%(environment)s” matches “%(pattern)s” (%(scope)s)") % {
            "environment": environment,
            "pattern": pattern,
            "scope": rules.scope,
        }
    if tier.strip().lower() == "production":
        return True, _(
            "production: the provider marks environment “%(environment)s” as its production tier"
        ) % {"environment": environment}
    return False, _("not production: environment “%(environment)s” matches none of %(patterns)s") % {
        "environment": environment,
        "patterns": _listed(rules.production),
    }


def rework(
    rules: RuleSet,
    *,
    reported: bool = False,
    labels: Sequence[str] = (),
    ref: str = "",
    title: str = "",
    rollback_of: str = "",
) -> tuple[bool, str]:
    """Whether a deployment is rework (unplanned, to fix production), and why; "" when it is not."""
    if reported:
        return True, _("rework: reported so by the pipeline")
    if rollback_of:
        return True, _("rework: a rollback to %(sha)s, which was deployed before") % {"sha": rollback_of[:12]}
    for label in labels:
        pattern = _first_match(label, rules.rework_labels)
        if pattern is not None:
            return True, _("rework: label “%(label)s” matches “%(pattern)s” (%(scope)s)") % {
                "label": label,
                "pattern": pattern,
                "scope": rules.scope,
            }
    pattern = _first_match(ref, rules.rework_branches)
    if pattern is not None:
        return True, _("rework: branch “%(ref)s” matches “%(pattern)s” (%(scope)s)") % {
            "ref": ref,
            "pattern": pattern,
            "scope": rules.scope,
        }
    pattern = _first_match(title, rules.rework_titles)
    if pattern is not None:
        return True, _("rework: title “%(title)s” matches “%(pattern)s” (%(scope)s)") % {
            "title": title[:60],
            "pattern": pattern,
            "scope": rules.scope,
        }
    return False, ""


def route(rules: RuleSet, origin: str, *, team: int, team_name: str, service: str) -> tuple[int, str, str]:
    """(team id, service, why) for an event from ``origin``: the first matching route, else the
    webhook's own team with the service the event names."""
    for candidate in rules.routes:
        if origin and fnmatchcase(origin.lower(), candidate.pattern.lower()):
            return (
                candidate.team,
                candidate.service or service,
                _("team: “%(origin)s” matches route “%(pattern)s” → %(team)s (%(scope)s)")
                % {
                    "origin": origin,
                    "pattern": candidate.pattern,
                    "team": candidate.team_name,
                    "scope": rules.scope,
                },
            )
    return team, service, _("team: the webhook's own team, %(team)s") % {"team": team_name}


def deploys(rules: RuleSet, workflow_name: str, workflow_path: str) -> str | None:
    """The pattern by which a workflow run counts as a deployment, or None (it only tells commit times)."""
    return _first_match(workflow_path, rules.deploy_workflows) or _first_match(
        workflow_name, rules.deploy_workflows
    )


@dataclass(frozen=True, slots=True)
class Candidate:
    """A production deployment an incident could be linked to."""

    key: Hashable
    external_id: str
    service: str
    commit_sha: str
    deployed_at: datetime


def shas_in(*texts: str) -> list[str]:
    """Commit SHAs written in the texts, lower case, first seen first."""
    found: dict[str, None] = {}
    for text in texts:
        for match in SHA.findall(text or ""):
            if any(ch.isalpha() for ch in match) or len(match) >= 12:  # not a plain number
                found[match.lower()] = None
    return list(found)


def link(
    rules: RuleSet,
    *,
    candidates: Sequence[Candidate],
    deployment_ref: str = "",
    shas: Sequence[str] = (),
    service: str = "",
    started_at: datetime,
) -> tuple[Hashable | None, str]:
    """The deployment that caused an incident and why, tried in this order: the deployment's id
    named in the incident, a commit SHA in the incident, the last production deployment of the
    same service before it started (within the rules' window; 0 switches the guess off)."""
    if deployment_ref:
        for candidate in candidates:
            if candidate.external_id == deployment_ref:
                return candidate.key, _("caused by: the incident names deployment %(id)s") % {
                    "id": deployment_ref
                }
    for sha in shas:
        for candidate in sorted(candidates, key=lambda c: c.deployed_at, reverse=True):
            if (
                candidate.commit_sha
                and candidate.deployed_at <= started_at
                and same_sha(candidate.commit_sha, sha)
            ):
                return candidate.key, _("caused by: the incident names commit %(sha)s") % {"sha": sha[:12]}
    if rules.link_window > timedelta(0) and service:
        earlier = [
            c
            for c in candidates
            if c.service.lower() == service.lower()
            and started_at - rules.link_window <= c.deployed_at <= started_at
        ]
        if earlier:
            last = max(earlier, key=lambda c: c.deployed_at)
            hours = rules.link_window.total_seconds() / 3600
            return last.key, _(
                "caused by: the last production deployment of %(service)s before the incident "
                "started (within %(hours)s h, %(scope)s)"
            ) % {"service": service, "hours": f"{hours:g}", "scope": rules.scope}
    if deployment_ref:
        return None, _("not linked: no production deployment %(id)s is known") % {"id": deployment_ref}
    return None, _("not linked: no deployment named, no commit found, none of the service just before")


def same_sha(stored: str, named: str) -> bool:
    stored, named = stored.lower(), named.lower()
    return stored.startswith(named) or named.startswith(stored)


def _listed(values: Sequence[str]) -> str:
    return ", ".join(f"“{value}”" for value in values) or _("(none set)")
