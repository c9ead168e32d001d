"""Reading an organisation file (CSV or JSON) into checked records: pure, no database.

JSON: ``{"groups": [{slug, name}], "teams": [{slug, name, group}], "people": [{username, email,
name}], "memberships": [{username, team, role}], "managers": [{username, group}]}``.

CSV: one file, first row the column names ``record,slug,name,group,username,email,team,role``;
``record`` is group, team, person, membership or manager and says which other columns count.

Every problem is reported with its place: the CSV's row (1 is the header) and column, or the
JSON's list and position, so a file is fixed in one go.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field

SLUG = re.compile(r"^[-a-z0-9_]{1,60}$")
USERNAME = re.compile(r"^[\w.@+-]{1,150}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$")
ROLES = {"member", "lead"}
CSV_COLUMNS = ["record", "slug", "name", "group", "username", "email", "team", "role"]
KINDS = {
    "group": "groups",
    "team": "teams",
    "person": "people",
    "membership": "memberships",
    "manager": "managers",
}
MAX_ROWS = 500_000


@dataclass(frozen=True)
class Problem:
    where: str  # "row 12", "teams[3]"
    column: str
    message: str

    def __str__(self) -> str:
        return (
            f"{self.where}, {self.column}: {self.message}" if self.column else f"{self.where}: {self.message}"
        )


@dataclass
class Directory:
    groups: dict[str, str] = field(default_factory=dict)  # slug → name
    teams: dict[str, tuple[str, str]] = field(default_factory=dict)  # slug → (name, group slug)
    people: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # username → (email, first, last)
    memberships: dict[tuple[str, str], str] = field(default_factory=dict)  # (username, team) → role
    managers: set[tuple[str, str]] = field(default_factory=set)  # (username, group)
    problems: list[Problem] = field(default_factory=list)
    # Where each key was given, to point at the first place when a later one repeats it.
    places: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return (
            len(self.groups) + len(self.teams) + len(self.people) + len(self.memberships) + len(self.managers)
        )


class Unreadable(Exception):
    """The file as a whole cannot be read (encoding, format, header)."""


def _split_name(name: str) -> tuple[str, str]:
    first, _, last = name.strip().partition(" ")
    return first[:150], last.strip()[:150]


def _clean(value) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int):
        raise ValueError("must be text")
    text = str(value).strip()
    if any(not ch.isprintable() for ch in text):
        raise ValueError("must be one line of printable text")
    return text


def _add(directory: Directory, kind: str, record: dict, where: str) -> None:
    def field_(name: str, *, required: bool = True, pattern: re.Pattern | None = None, hint: str = "") -> str:
        try:
            value = _clean(record.get(name))
        except ValueError as error:
            directory.problems.append(Problem(where, name, str(error)))
            return ""
        if not value:
            if required:
                directory.problems.append(Problem(where, name, "is missing"))
            return ""
        if pattern is not None and not pattern.match(value):
            directory.problems.append(Problem(where, name, f"{value[:60]!r} is not {hint}"))
            return ""
        return value

    def once(key: tuple[str, str], column: str) -> bool:
        first = directory.places.get(key)
        if first is not None:
            directory.problems.append(Problem(where, column, f"{key[1]!r} is already given in {first}"))
            return False
        directory.places[key] = where
        return True

    slug_hint = "a slug (lower-case letters, digits, - and _, at most 60)"
    if kind == "groups":
        slug = field_("slug", pattern=SLUG, hint=slug_hint)
        name = field_("name")
        if slug and name and once(("group", slug), "slug"):
            directory.groups[slug] = name[:120]
    elif kind == "teams":
        slug = field_("slug", pattern=SLUG, hint=slug_hint)
        name = field_("name")
        group = field_("group", required=False, pattern=SLUG, hint=slug_hint)
        if slug and name and once(("team", slug), "slug"):
            directory.teams[slug] = (name[:120], group)
    elif kind == "people":
        username = field_(
            "username", pattern=USERNAME, hint="a username (letters, digits and @.+-_, at most 150)"
        )
        email = field_("email", required=False, pattern=EMAIL, hint="an e-mail address")
        name = field_("name", required=False)
        if username and once(("person", username), "username"):
            directory.people[username] = (email, *_split_name(name))
    elif kind == "memberships":
        username = field_("username", pattern=USERNAME, hint="a username")
        team = field_("team", pattern=SLUG, hint=slug_hint)
        role = (field_("role", required=False) or "member").lower()
        if role not in ROLES:
            directory.problems.append(Problem(where, "role", f"{role[:20]!r} is not member or lead"))
        elif username and team and once(("membership", f"{username} in {team}"), "team"):
            directory.memberships[(username, team)] = role
    elif kind == "managers":
        username = field_("username", pattern=USERNAME, hint="a username")
        group = field_("group", pattern=SLUG, hint=slug_hint)
        if username and group and once(("manager", f"{username} of {group}"), "group"):
            directory.managers.add((username, group))


def _references(directory: Directory, known_groups: set[str], known_teams: set[str]) -> None:
    """Every team's group, every membership's person and team exist, in the file or stored."""
    groups = known_groups | set(directory.groups)
    teams = known_teams | set(directory.teams)
    people = set(directory.people)  # memberships name people of the file: the file is the directory
    for slug, (_name, group) in directory.teams.items():
        if group and group not in groups:
            directory.problems.append(
                Problem(directory.places[("team", slug)], "group", f"no team group {group!r}")
            )
    for (username, team), _role in directory.memberships.items():
        where = directory.places[("membership", f"{username} in {team}")]
        if username not in people:
            directory.problems.append(
                Problem(where, "username", f"{username!r} is not among the people of the file")
            )
        if team not in teams:
            directory.problems.append(Problem(where, "team", f"no team {team!r}"))
    for username, group in directory.managers:
        where = directory.places[("manager", f"{username} of {group}")]
        if username not in people:
            directory.problems.append(
                Problem(where, "username", f"{username!r} is not among the people of the file")
            )
        if group not in groups:
            directory.problems.append(Problem(where, "group", f"no team group {group!r}"))


def read(content: bytes, filename: str, *, known_groups=frozenset(), known_teams=frozenset()) -> Directory:
    """The file's records and every problem in it. Raises Unreadable for a file that is not
    UTF-8 CSV or JSON at all."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Unreadable(f"the file is not UTF-8 (byte {error.start} is not): save it as UTF-8") from error
    directory = Directory()
    if filename.lower().endswith(".json") or text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except ValueError as error:
            raise Unreadable(f"the JSON cannot be read: {error}") from error
        if not isinstance(data, dict):
            raise Unreadable("the JSON must be an object with groups, teams, people and memberships")
        unknown = set(data) - set(KINDS.values())
        if unknown:
            raise Unreadable(f"unknown keys {sorted(unknown)}: use {sorted(KINDS.values())}")
        for kind in KINDS.values():
            records = data.get(kind, [])
            if not isinstance(records, list):
                raise Unreadable(f"{kind} must be a list")
            for position, record in enumerate(records):
                where = f"{kind}[{position}]"
                if not isinstance(record, dict):
                    directory.problems.append(Problem(where, "", "must be an object"))
                    continue
                _add(directory, kind, record, where)
    else:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = [name.strip().lower() for name in reader.fieldnames or []]
        missing = [name for name in ("record",) if name not in header]
        if missing:
            raise Unreadable(
                f"the first row must name the columns; missing: {', '.join(missing)} "
                f"(columns: {', '.join(CSV_COLUMNS)})"
            )
        reader.fieldnames = header
        for number, row in enumerate(reader, start=2):
            if number > MAX_ROWS:
                raise Unreadable(f"more than {MAX_ROWS} rows")
            kind = KINDS.get((row.get("record") or "").strip().lower())
            if kind is None:
                directory.problems.append(
                    Problem(f"row {number}", "record", f"must be one of {', '.join(KINDS)}")
                )
                continue
            _add(directory, kind, row, f"row {number}")
    _references(directory, set(known_groups), set(known_teams))
    return directory
