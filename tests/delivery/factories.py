from datetime import timedelta

import factory
from django.utils import timezone

from delivery import tokens
from delivery.models import ApiToken, Deployment, Incident
from tests.factories import TeamFactory


class DeploymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deployment

    team = factory.SubFactory(TeamFactory)
    service = "web"
    environment = "production"
    # As the default rules would decide it (production, prod).
    is_production = factory.LazyAttribute(lambda d: d.environment in ("production", "prod"))
    deployed_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    first_commit_at = factory.LazyAttribute(lambda d: d.deployed_at - timedelta(hours=5))
    status = Deployment.Status.SUCCESS
    is_rework = False
    external_id = factory.Sequence(lambda n: f"deploy-{n}")


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incident

    team = factory.SubFactory(TeamFactory)
    service = "web"
    severity = Incident.Severity.HIGH
    started_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=6))
    resolved_at = factory.LazyAttribute(lambda i: i.started_at + timedelta(hours=2))
    external_id = factory.Sequence(lambda n: f"incident-{n}")


class ApiTokenFactory(factory.django.DjangoModelFactory):
    """Build with ``raw=...`` to know the token; by default a fresh random one."""

    class Meta:
        model = ApiToken
        exclude = ["raw"]

    raw = factory.LazyFunction(tokens.generate)
    team = factory.SubFactory(TeamFactory)
    name = "CI"
    token_hash = factory.LazyAttribute(lambda t: tokens.digest(t.raw))
    shown_part = factory.LazyAttribute(lambda t: tokens.shown_part(t.raw))
