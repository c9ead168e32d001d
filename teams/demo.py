"""Demo organisation for `manage.py seed_demo`: groups, teams, people and the demo accounts.

Deterministic (fixed names and a seeded generator) and idempotent: a second run finds
everything by username and slug and creates nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from teams.models import Group, GroupLead, Membership, Team

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


def seed_organisation() -> DemoOrganisation:
    """Create (or find) the demo groups, teams, people and the four demo accounts."""
    rng = random.Random(20261124)
    # One hash for every demo account: hashing 80 passwords would take most of a minute.
    password_hash = make_password(DEMO_PASSWORD)
    org = DemoOrganisation()

    admin = _user("admin", password_hash, first="Alex", last="Admin", is_staff=True, is_superuser=True)
    manager = _user("manager", password_hash, first="Maria", last="Manager")
    lead = _user("lead", password_hash, first="Leo", last="Lead")
    member = _user("member", password_hash, first="Mia", last="Member")
    org.users.update(admin=admin, manager=manager, lead=lead, member=member)

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
