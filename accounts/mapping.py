"""From an identity provider's group names to teams and roles: pure, no database.

Rules are written one per line (or separated by ";") as ``<group pattern> -> <target>``:

- ``gemba-{team}-leads -> lead``: a group named with a team's slug makes a lead of that team;
- ``gemba-{team} -> member``: … a member;
- ``gemba-managers-{group} -> manager``: a group named with a team group's slug makes a group manager;
- ``/Engineering/Checkout -> checkout:member``: one named group, one team (``slug:lead`` too);
- ``gemba-admins -> staff``: may open Django admin (staff, not superuser).

``*`` in a pattern matches anything. Case does not matter. Where two rules give a team, lead wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

ROLES = ("member", "lead")


class RuleError(ValueError):
    """A mapping rule that cannot be read; the message names the rule."""


@dataclass(frozen=True, slots=True)
class Rule:
    pattern: re.Pattern[str]
    source: str
    kind: str  # "team", "group" or "staff"
    role: str = ""  # for "team": member or lead
    slug: str = ""  # a fixed team slug, or "" to take it from {team}


@dataclass
class Desired:
    """What a person's groups give them, with the rule behind each."""

    teams: dict[str, str] = field(default_factory=dict)  # team slug → role
    groups: set[str] = field(default_factory=set)  # team groups they manage
    staff: bool = False
    why: dict[str, str] = field(default_factory=dict)


def _compile(pattern: str) -> re.Pattern[str]:
    out = []
    for part in re.split(r"(\{team\}|\{group\}|\*)", pattern):
        if part == "{team}":
            out.append(r"(?P<team>[-a-z0-9_]+)")
        elif part == "{group}":
            out.append(r"(?P<group>[-a-z0-9_]+)")
        elif part == "*":
            out.append(r".*")
        else:
            out.append(re.escape(part.lower()))
    return re.compile("^" + "".join(out) + "$")


def parse_rules(text: str) -> list[Rule]:
    """The rules of GEMBA_OIDC_GROUP_MAP; RuleError names the first one that cannot be read."""
    rules = []
    for raw in re.split(r"[;\n]", text or ""):
        line = raw.strip()
        if not line:
            continue
        if "->" not in line:
            raise RuleError(
                f"{line!r}: write '<group pattern> -> <member|lead|manager|staff|team-slug:role>'"
            )
        pattern, target = (part.strip() for part in line.rsplit("->", 1))
        target = target.lower()
        if not pattern:
            raise RuleError(f"{line!r}: the group pattern is empty")
        compiled = _compile(pattern)
        if target in ROLES:
            if "{team}" not in pattern:
                raise RuleError(
                    f"{line!r}: '{target}' needs {{team}} in the pattern, or write team-slug:{target}"
                )
            rules.append(Rule(compiled, line, "team", target))
        elif target == "manager":
            if "{group}" not in pattern:
                raise RuleError(f"{line!r}: 'manager' needs {{group}} in the pattern")
            rules.append(Rule(compiled, line, "group"))
        elif target == "staff":
            rules.append(Rule(compiled, line, "staff"))
        elif (
            ":" in target
            and target.split(":", 1)[1] in ROLES
            and re.fullmatch(r"[-a-z0-9_]+", target.split(":")[0])
        ):
            slug, role = target.split(":", 1)
            rules.append(Rule(compiled, line, "team", role, slug))
        else:
            raise RuleError(
                f"{line!r}: the target must be member, lead, manager, staff or team-slug:member|lead"
            )
    return rules


def desired(groups: Iterable[str], rules: list[Rule], *, teams: set[str], team_groups: set[str]) -> Desired:
    """What the groups give, among the teams and team groups that exist (others are ignored)."""
    result = Desired()
    for name in groups:
        value = str(name).strip().lower()
        for rule in rules:
            match = rule.pattern.match(value)
            if match is None:
                continue
            if rule.kind == "staff":
                result.staff = True
                result.why["staff"] = f"{name} ({rule.source})"
            elif rule.kind == "group":
                slug = match.group("group")
                if slug in team_groups:
                    result.groups.add(slug)
                    result.why[f"group:{slug}"] = f"{name} ({rule.source})"
            else:
                slug = rule.slug or match.group("team")
                if slug not in teams:
                    continue
                if result.teams.get(slug) != "lead":
                    result.teams[slug] = rule.role
                    result.why[slug] = f"{name} ({rule.source})"
    return result
