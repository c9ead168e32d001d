"""Demo organisation for `manage.py seed_demo`: groups, teams, people and the demo accounts.

Deterministic (fixed names and a seeded generator) and idempotent: a second run finds
everything by username and slug and creates nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils.text import slugify

from teams.models import Group, GroupLead, Membership, Team, TeamQuerySet

DEMO_PASSWORD = "gemba-demo"

GROUPS: dict[tuple[str, str], list[tuple[str, str, str]]] = {
    ("Payments", "payments"): [
        ("Checkout", "checkout", "Basket, checkout flow and payment methods."),
        ("Billing", "billing", "Invoices, subscriptions and dunning."),
        ("Fraud Signals", "fraud-signals", "Risk scoring and fraud rules for every payment."),
        ("Ledger", "ledger", "Double-entry bookkeeping and settlement files."),
    ],
    ("Platform", "platform"): [
        ("Build & Release", "build-release", "CI runners, pipelines and release tooling."),
        ("Cloud Foundations", "cloud-foundations", "Accounts, networks and Kubernetes clusters."),
        ("Observability", "observability", "Metrics, logs, traces and on-call tooling."),
        ("Developer Portal", "developer-portal", "Service catalogue, templates and golden paths."),
    ],
    ("Customer Experience", "customer-experience"): [
        ("Mobile App", "mobile-app", "The iOS and Android apps."),
        ("Web Storefront", "web-storefront", "Product pages, basket and account on the web."),
        ("Search & Discovery", "search-discovery", "Search, recommendations and ranking."),
        ("Support Tools", "support-tools", "Tools for the customer support agents."),
    ],
}

# fmt: off
# How capable each demo team is (0–1), so surveys and delivery data can agree believably
# (not perfectly); and where each is heading: "up", "down" or "flat" over the past rounds.
CAPABILITY: dict[str, tuple[float, str]] = {
    "checkout": (0.55, "up"),
    "billing": (0.45, "flat"),
    "fraud-signals": (0.62, "up"),
    "ledger": (0.35, "flat"),
    "build-release": (0.78, "up"),
    "cloud-foundations": (0.70, "flat"),
    "observability": (0.74, "up"),
    "developer-portal": (0.58, "flat"),
    "mobile-app": (0.40, "up"),
    "web-storefront": (0.50, "flat"),
    "search-discovery": (0.66, "flat"),
    "support-tools": (0.48, "down"),
}

FIRST_NAMES = [
    "Ada", "Bram", "Chiara", "Dev", "Elif", "Femi", "Greta", "Hiro", "Ines", "Jonas", "Kaja",
    "Luis", "Mira", "Noah", "Olu", "Priya", "Quinn", "Rosa", "Sami", "Tess", "Umar", "Vera", "Wen",
    "Yara", "Zoe", "Arjun", "Bea", "Cyril", "Dana", "Emil",
]
# fmt: on
# fmt: off
LAST_NAMES = [
    "Adeyemi", "Berg", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ivanova",
    "Jansen", "Kowalski", "Larsen", "Moreau", "Nakamura", "Okafor", "Petrov", "Quist", "Rossi",
    "Schmidt", "Tanaka",
]
# fmt: on


@dataclass
class DemoOrganisation:
    groups: list[Group] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    users: dict[str, object] = field(default_factory=dict)
    # slug → (capability 0–1, trend "up" / "flat" / "down"); the small demo uses CAPABILITY.
    capability: dict[str, tuple[float, str]] = field(default_factory=dict)


def _user(username: str, password_hash: str, *, first: str = "", last: str = "", **flags):
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "email": f"{username}@example.com",
            "password": password_hash,
            **flags,
        },
    )
    return user


def _demo_accounts(org: DemoOrganisation, password_hash: str) -> tuple:
    """The four demo accounts of SPEC §6 (found again on a second run), recorded on ``org``."""
    admin = _user("admin", password_hash, first="Alex", last="Admin", is_staff=True, is_superuser=True)
    manager = _user("manager", password_hash, first="Maria", last="Manager")
    lead = _user("lead", password_hash, first="Leo", last="Lead")
    member = _user("member", password_hash, first="Mia", last="Member")
    org.users.update(admin=admin, manager=manager, lead=lead, member=member)
    return admin, manager, lead, member


def seed_organisation() -> DemoOrganisation:
    """Create (or find) the demo groups, teams, people and the four demo accounts."""
    rng = random.Random(20261124)
    # One hash for every demo account: hashing 80 passwords would take most of a minute.
    password_hash = make_password(DEMO_PASSWORD)
    org = DemoOrganisation()

    admin, manager, lead, member = _demo_accounts(org, password_hash)

    people = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
    rng.shuffle(people)
    next_person = iter(people)

    for (group_name, group_slug), teams in GROUPS.items():
        group, _ = Group.objects.get_or_create(
            slug=group_slug, defaults={"name": group_name, "description": f"The {group_name} teams."}
        )
        org.groups.append(group)
        for team_name, team_slug, description in teams:
            team, _ = Team.objects.get_or_create(
                slug=team_slug, defaults={"name": team_name, "description": description, "group": group}
            )
            org.teams.append(team)
            size = rng.randint(4, 9)
            if team_slug == "checkout":
                Membership.objects.get_or_create(
                    user=lead, team=team, defaults={"role": Membership.Role.LEAD}
                )
                Membership.objects.get_or_create(user=member, team=team)
                size -= 2
                team_lead_assigned = True
            else:
                team_lead_assigned = False
            for _ in range(size):
                first, last = next(next_person).split(" ")
                username = f"{first}.{last}".lower()
                user = _user(username, password_hash, first=first, last=last)
                role = Membership.Role.MEMBER if team_lead_assigned else Membership.Role.LEAD
                team_lead_assigned = True
                Membership.objects.get_or_create(user=user, team=team, defaults={"role": role})

    GroupLead.objects.get_or_create(user=manager, group=org.groups[0])
    return org


# --- Enterprise scale (`seed_demo --scale enterprise`) ---------------------------------------

# fmt: off
ENTERPRISE_GROUPS = [
    "Commerce", "Accounts", "Analytics", "Assortment", "Catalogue", "Claims", "Compliance",
    "Content", "Data Platform", "Delivery Routing", "Design System", "Edge", "Finance",
    "Fulfilment", "Growth", "Identity", "Insurance", "Integrations", "Inventory", "Lending",
    "Logistics", "Loyalty", "Maps", "Marketing", "Marketplace", "Media", "Messaging", "Networking",
    "Notifications", "Partners", "Pricing", "Procurement", "Recommendations", "Returns", "Risk",
    "Security", "Storage", "Subscriptions", "Trading", "Travel",
]
# fmt: on


@dataclass(frozen=True)
class EnterpriseScale:
    """How big the enterprise data set is; tests pass a tiny one."""

    groups: int = 40
    teams_per_group: int = 10
    people_per_team: int = 10
    rounds: int = 12
    responses_per_team: int = 8
    deployments: int = 200_000
    actions: int = 20_000


def _enterprise_group_names(scale: EnterpriseScale) -> list[str]:
    count = len(ENTERPRISE_GROUPS)
    return [
        ENTERPRISE_GROUPS[i % count] if i < count else f"{ENTERPRISE_GROUPS[i % count]} {i // count + 1}"
        for i in range(scale.groups)
    ]


def enterprise_teams(scale: EnterpriseScale) -> TeamQuerySet:
    """The teams of the enterprise data set that are in the database (none when it was not seeded)."""
    return Team.objects.filter(group__slug__in=[slugify(name) for name in _enterprise_group_names(scale)])


def seed_enterprise_organisation(scale: EnterpriseScale, *, progress=None) -> DemoOrganisation:
    """Groups × teams × people in bulk, with the demo accounts in the first team and group.

    ``manager`` leads the first group; ``lead`` and ``member`` are in its first team, whose other
    members fill it up to ``people_per_team``. Every team also gets a capability (0–1) and a
    trend, as CAPABILITY gives the small demo's teams, so surveys and delivery can agree.
    """
    rng = random.Random(20261125)
    password_hash = make_password(DEMO_PASSWORD)
    org = DemoOrganisation()
    admin, manager, lead, member = _demo_accounts(org, password_hash)

    names = _enterprise_group_names(scale)
    Group.objects.bulk_create(
        Group(name=name, slug=slugify(name), description=f"The {name} teams.") for name in names
    )
    org.groups = list(Group.objects.filter(slug__in=[slugify(name) for name in names]).order_by("slug"))
    Team.objects.bulk_create(
        (
            Team(
                group=group,
                name=f"{group.name} {number:02d}",
                slug=f"{group.slug}-{number:02d}",
                description=f"Team {number} of {group.name}.",
            )
            for group in org.groups
            for number in range(1, scale.teams_per_group + 1)
        ),
        batch_size=1000,
    )
    org.teams = list(Team.objects.filter(group__in=org.groups).order_by("group__slug", "slug"))
    org.capability = {
        team.slug: (rng.uniform(0.2, 0.85), rng.choice(["up", "up", "flat", "flat", "down"]))
        for team in org.teams
    }
    if progress:
        progress.advance(1)

    # Everyone but the demo accounts: one shared hash, bulk inserted.
    user_model = get_user_model()
    people, placed = [], []  # placed: (username, team, role)
    memberships = [
        Membership(user=lead, team=org.teams[0], role=Membership.Role.LEAD),
        Membership(user=member, team=org.teams[0], role=Membership.Role.MEMBER),
    ]
    for team_index, team in enumerate(org.teams):
        size = scale.people_per_team - (2 if team_index == 0 else 0)
        for position in range(size):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            username = f"{first}.{last}.{len(people) + 1:04d}".lower()
            people.append(
                user_model(
                    username=username,
                    first_name=first,
                    last_name=last,
                    email=f"{username}@example.com",
                    password=password_hash,
                )
            )
            # The first team's lead is `lead`; every other team's first person leads it.
            role = Membership.Role.LEAD if position == 0 and team_index > 0 else Membership.Role.MEMBER
            placed.append((username, team, role))
    user_model.objects.bulk_create(people, batch_size=2000)
    stored = dict(
        user_model.objects.filter(username__in=[username for username, _, _ in placed]).values_list(
            "username", "pk"
        )
    )
    memberships += [
        Membership(user_id=stored[username], team=team, role=role) for username, team, role in placed
    ]
    Membership.objects.bulk_create(memberships, batch_size=2000)
    GroupLead.objects.create(user=manager, group=org.groups[0])
    if progress:
        progress.advance(1)
    return org
