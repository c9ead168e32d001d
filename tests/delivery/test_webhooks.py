"""Provider webhooks, replayed with the providers' published example payloads: signed calls are
stored by the rules, unsigned and replayed ones refused, redeliveries change nothing."""

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from delivery.models import (
    Commit,
    DeliveryRules,
    Deployment,
    Incident,
    ServiceRoute,
    Webhook,
    WebhookDelivery,
)
from delivery.services import webhook_create, webhook_revoke, webhook_secret_set
from tests.delivery.factories import DeploymentFactory
from tests.factories import TeamFactory

PAYLOADS = Path(__file__).parent / "payloads"


def payload(name: str) -> bytes:
    return (PAYLOADS / f"{name}.json").read_bytes()


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@pytest.fixture
def hook(team):
    """make(provider) → (webhook, secret) of the checkout team."""

    def make(provider: str, **kwargs):
        return webhook_create(team=team, provider=provider, **kwargs)

    return make


def post(client, webhook, body: bytes, **headers):
    return client.post(
        f"/webhooks/{webhook.provider}/{webhook.public_id}",
        body,
        content_type="application/json",
        headers=headers,
    )


def github(client, webhook, secret, name, event, delivery="d-1"):
    body = payload(name)
    return post(
        client,
        webhook,
        body,
        **{
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": delivery,
            "X-Hub-Signature-256": "sha256=" + sign(secret, body),
        },
    )


def pagerduty(client, webhook, secret, name):
    body = payload(name)
    return post(client, webhook, body, **{"X-PagerDuty-Signature": "v1=" + sign(secret, body)})


def generic(client, webhook, secret, data: dict, *, at: int | None = None, **extra):
    body = json.dumps(data).encode()
    stamp = str(at if at is not None else int(time.time()))
    signature = "sha256=" + sign(secret, stamp.encode() + b"." + body)
    return post(
        client, webhook, body, **{"X-Gemba-Timestamp": stamp, "X-Gemba-Signature": signature, **extra}
    )


# --- GitHub


def test_github_deployment_status_success_is_stored_with_why(client, hook, team):
    webhook, secret = hook("github")
    response = github(client, webhook, secret, "github_deployment_status_success", "deployment_status")
    assert response.status_code == 201
    assert response.json()["created"] == 1
    deployment = Deployment.objects.get(team=team)
    assert deployment.external_id == "github:186853002:deployment:145988746"
    assert deployment.environment == "production" and deployment.is_production
    assert deployment.service == "Hello-World"
    assert deployment.commit_sha == "f95f852bd8fca8fcc58a9a2d6c842781e32a215e"
    assert deployment.deployed_at == datetime(2019, 5, 15, 15, 20, 55, tzinfo=UTC)
    assert deployment.first_commit_at is None  # GitHub's deployment carries no commit time
    assert deployment.source == "github"
    assert "matches “production” (the defaults)" in deployment.placed_by
    assert deployment.routed_by == "team: the webhook's own team, Checkout"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.delivery_id, delivery.event, delivery.outcome) == ("d-1", "deployment_status", "stored")


def test_a_redelivered_event_changes_nothing(client, hook, team):
    webhook, secret = hook("github")
    github(client, webhook, secret, "github_deployment_status_success", "deployment_status")
    before = list(Deployment.objects.values())
    again = github(client, webhook, secret, "github_deployment_status_success", "deployment_status")
    assert again.status_code == 200 and again.json()["outcome"] == "duplicate"
    assert list(Deployment.objects.values()) == before
    assert WebhookDelivery.objects.count() == 1
    # The same event under a new delivery id (a second subscription) is stored once too.
    third = github(client, webhook, secret, "github_deployment_status_success", "deployment_status", "d-2")
    assert third.status_code == 200 and third.json()["unchanged"] == 1
    assert Deployment.objects.count() == 1


def test_a_push_gives_commit_times_and_so_lead_time(client, hook, team):
    webhook, secret = hook("github")
    push = json.loads(payload("github_push"))
    commit = push["commits"][0]
    DeploymentFactory(
        team=team, commit_sha=commit["id"], first_commit_at=None, deployed_at=datetime(2030, 1, 1, tzinfo=UTC)
    )
    body = payload("github_push")
    response = post(
        client,
        webhook,
        body,
        **{
            "X-GitHub-Event": "push",
            "X-GitHub-Delivery": "p-1",
            "X-Hub-Signature-256": "sha256=" + sign(secret, body),
        },
    )
    assert response.status_code == 200
    assert Commit.objects.filter(team=team, sha=commit["id"]).exists()
    assert Deployment.objects.get(team=team).first_commit_at is not None


@pytest.mark.parametrize(
    ("name", "event", "note"),
    [
        ("github_ping", "ping", "ping: the webhook is connected"),
        ("github_deployment_status_in_progress_from_workflow", "deployment_status", "is not final yet"),
        ("github_deployment_created", "deployment", "it counts when its status says"),
        ("github_workflow_run_requested", "workflow_run", "not completed"),
    ],
)
def test_events_that_are_not_deployments_yet_are_answered_and_ignored(client, hook, name, event, note):
    webhook, secret = hook("github")
    response = github(client, webhook, secret, name, event)
    assert response.status_code == 200
    assert response.json()["outcome"] == "ignored"
    assert any(note in text for text in response.json()["notes"])
    assert not Deployment.objects.exists()


def test_a_workflow_run_is_a_deployment_only_when_the_rules_name_the_workflow(client, hook, team):
    webhook, secret = hook("github")
    response = github(client, webhook, secret, "github_workflow_run_completed_success", "workflow_run")
    assert response.json()["outcome"] == "ignored"
    assert "is not a deploying workflow" in " ".join(response.json()["notes"])
    DeliveryRules.objects.create(team=team, deploy_workflows=".github/workflows/test.yml")
    response = github(client, webhook, secret, "github_workflow_run_completed_success", "workflow_run", "d-2")
    assert response.status_code == 201
    deployment = Deployment.objects.get()
    assert deployment.environment == "production" and deployment.is_production
    assert deployment.first_commit_at == datetime(2020, 10, 5, 16, 32, 7, tzinfo=UTC)  # head commit
    assert "workflow “” matches “.github/workflows/test.yml”" in deployment.placed_by


@pytest.mark.parametrize(
    "headers",
    [
        {},  # unsigned
        {"X-Hub-Signature-256": "sha256=" + "0" * 64},  # wrong
        {"X-Hub-Signature-256": "sha1=abc"},  # the old header's form
    ],
)
def test_github_calls_without_the_right_signature_get_401_and_store_nothing(client, hook, headers):
    webhook, _secret = hook("github")
    response = post(
        client,
        webhook,
        payload("github_deployment_status_success"),
        **{"X-GitHub-Event": "deployment_status", **headers},
    )
    assert response.status_code == 401
    assert "detail" in response.json()
    assert not Deployment.objects.exists() and not WebhookDelivery.objects.exists()


def test_a_revoked_webhook_is_refused_at_once(client, hook):
    webhook, secret = hook("github")
    webhook_revoke(webhook=webhook)
    response = github(client, webhook, secret, "github_deployment_status_success", "deployment_status")
    assert response.status_code == 401
    assert not Deployment.objects.exists()


def test_the_url_of_one_provider_does_not_take_anothers_calls(client, hook):
    webhook, secret = hook("github")
    body = payload("pagerduty_incident_triggered")
    response = client.post(
        f"/webhooks/pagerduty/{webhook.public_id}",
        body,
        content_type="application/json",
        headers={"X-PagerDuty-Signature": "v1=" + sign(secret, body)},
    )
    assert response.status_code == 401
    assert client.post("/webhooks/bitbucket/x", b"{}", content_type="application/json").status_code == 404
    assert client.get(f"/webhooks/github/{webhook.public_id}").status_code == 405


def test_signed_garbage_is_a_400_with_the_reason(client, hook):
    webhook, secret = hook("github")
    for body in [b"not json", b"[1, 2]", "ü".encode("latin-1")]:
        response = post(
            client,
            webhook,
            body,
            **{"X-GitHub-Event": "deployment_status", "X-Hub-Signature-256": "sha256=" + sign(secret, body)},
        )
        assert response.status_code == 400, body
        assert response.json()["detail"]
    body = json.dumps({"deployment": {"id": 1}, "deployment_status": {"state": "success"}}).encode()
    response = post(
        client,
        webhook,
        body,
        **{"X-GitHub-Event": "deployment_status", "X-Hub-Signature-256": "sha256=" + sign(secret, body)},
    )
    assert response.status_code == 400 and "environment" in response.json()["detail"]
    assert not Deployment.objects.exists()


# --- GitLab


def gitlab(client, webhook, secret, name, uuid="g-1"):
    return post(client, webhook, payload(name), **{"X-Gitlab-Token": secret, "X-Gitlab-Event-UUID": uuid})


def test_gitlab_token_is_kept_as_a_hash_and_checked(client, hook):
    webhook, secret = hook("gitlab")
    stored = Webhook.objects.get(pk=webhook.pk)
    assert stored.secret_hash and not stored.secret_sealed and secret not in stored.secret_hash
    assert (
        post(client, webhook, payload("gitlab_deployment_success"), **{"X-Gitlab-Token": "wrong"}).status_code
        == 401
    )
    assert post(client, webhook, payload("gitlab_deployment_success")).status_code == 401


def test_gitlab_deployments_by_the_rules_and_pipelines_give_commit_times(client, hook, team):
    webhook, secret = hook("gitlab")
    staging = gitlab(client, webhook, secret, "gitlab_deployment_success")
    assert staging.status_code == 201
    deployment = Deployment.objects.get(external_id="gitlab:30:deployment:15")
    assert deployment.environment == "staging" and not deployment.is_production
    assert deployment.deployed_at == datetime(2021, 4, 28, 19, 50, tzinfo=UTC)
    assert deployment.commit_sha == "279484c0"
    # An older GitLab sends no tier; the rules' names decide; a failed deployment is an attempt.
    assert gitlab(client, webhook, secret, "gitlab_deployment_failed_without_tier", "g-2").status_code == 201
    failed = Deployment.objects.get(external_id="gitlab:30:deployment:16")
    assert failed.is_production and failed.status == "failure"
    assert gitlab(client, webhook, secret, "gitlab_deployment_running", "g-3").json()["outcome"] == "ignored"
    # The pipeline's commit time reaches the deployments of its (short) SHA.
    assert gitlab(client, webhook, secret, "gitlab_pipeline", "g-4").status_code == 200
    deployment.refresh_from_db()
    assert deployment.first_commit_at == datetime(2021, 4, 28, 17, 12, 11, tzinfo=UTC)


def test_gitlab_production_tier_counts_even_when_no_name_matches(client, hook, team):
    webhook, secret = hook("gitlab")
    data = json.loads(payload("gitlab_deployment_success"))
    data.update({"environment": "live-eu", "environment_tier": "production"})
    response = post(client, webhook, json.dumps(data).encode(), **{"X-Gitlab-Token": secret})
    assert response.status_code == 201
    assert Deployment.objects.get().is_production
    assert "production tier" in Deployment.objects.get().placed_by


# --- PagerDuty


def test_pagerduty_incident_triggered_acknowledged_resolved(client, hook, team):
    webhook, secret = hook("pagerduty")
    deployed = DeploymentFactory(
        team=team, service="API Service", deployed_at=datetime(2020, 10, 2, 18, 0, tzinfo=UTC)
    )
    assert pagerduty(client, webhook, secret, "pagerduty_incident_triggered").status_code == 201
    incident = Incident.objects.get(team=team)
    assert incident.external_id == "pagerduty:PGR0VU2"
    assert incident.severity == "critical"  # P1
    assert incident.title == "A little bump in the road"
    assert incident.resolved_at is None and incident.source == "pagerduty"
    # No id, no commit named: the last production deployment of the service before it started.
    assert incident.caused_by == deployed
    assert "last production deployment of API Service" in incident.linked_by
    assert (
        pagerduty(client, webhook, secret, "pagerduty_incident_acknowledged_without_priority").status_code
        == 200
    )
    assert pagerduty(client, webhook, secret, "pagerduty_incident_resolved").status_code == 200
    incident.refresh_from_db()
    assert incident.acknowledged_at == datetime(2020, 10, 2, 18, 50, 11, 10000, tzinfo=UTC)
    assert incident.resolved_at == datetime(2020, 10, 2, 19, 15, 2, 507000, tzinfo=UTC)
    assert incident.severity == "critical"  # an acknowledgement without priority lowers nothing
    assert Incident.objects.count() == 1 and WebhookDelivery.objects.count() == 3


def test_pagerduty_ping_and_bad_signatures(client, hook):
    webhook, secret = hook("pagerduty")
    assert pagerduty(client, webhook, secret, "pagerduty_ping").json()["outcome"] == "ignored"
    body = payload("pagerduty_incident_triggered")
    # During a secret change PagerDuty signs with both: either one that matches is enough.
    both = f"v1={'0' * 64},v1={sign(secret, body)}"
    assert post(client, webhook, body, **{"X-PagerDuty-Signature": both}).status_code == 201
    assert post(client, webhook, body, **{"X-PagerDuty-Signature": "v1=" + "0" * 64}).status_code == 401


def test_a_pasted_pagerduty_secret_replaces_the_made_one(client, hook):
    webhook, made = hook("pagerduty")
    webhook_secret_set(webhook=webhook, secret="pd-signing-secret-42")
    assert pagerduty(client, webhook, made, "pagerduty_incident_triggered").status_code == 401
    assert (
        pagerduty(client, webhook, "pd-signing-secret-42", "pagerduty_incident_triggered").status_code == 201
    )


def test_the_signing_secret_is_sealed_not_readable_from_the_database(hook):
    webhook, secret = hook("pagerduty")
    stored = Webhook.objects.values_list("secret_sealed", "secret_hash").get(pk=webhook.pk)
    assert secret not in stored[0] and not stored[1]


# --- Opsgenie


def test_opsgenie_alerts_with_the_token_header_and_a_commit_in_the_message(client, hook, team):
    webhook, secret = hook("opsgenie")
    deployed = DeploymentFactory(
        team=team, service="checkout-api", commit_sha="279484c09fbe69ededfced8c1bb6e6d24616b468",
        deployed_at=datetime(2017, 12, 12, 12, 0, tzinfo=UTC),
    )  # fmt: skip
    assert post(client, webhook, payload("opsgenie_alert_create")).status_code == 401
    assert (
        post(client, webhook, payload("opsgenie_alert_create"), **{"X-Gemba-Token": secret}).status_code
        == 201
    )
    incident = Incident.objects.get(team=team)
    assert incident.service == "checkout-api"  # from the tag service:checkout-api
    assert incident.severity == "high"  # P2
    assert incident.started_at == datetime(2017, 12, 12, 12, 57, 13, 148000, tzinfo=UTC)
    assert incident.caused_by == deployed and "names commit 279484c0" in incident.linked_by
    acknowledged = post(client, webhook, payload("opsgenie_alert_acknowledge"), **{"X-Gemba-Token": secret})
    assert acknowledged.status_code == 200
    closed = post(
        client, webhook, payload("opsgenie_alert_close_without_details"), **{"X-Gemba-Token": secret}
    )
    assert closed.status_code == 200
    incident.refresh_from_db()
    assert incident.acknowledged_at is not None and incident.resolved_at is not None


# --- generic signed JSON


def test_generic_deployment_and_incident_with_a_timestamped_signature(client, hook, team):
    webhook, secret = hook("generic")
    now = datetime.now(UTC).replace(microsecond=0)
    deployment = {
        "kind": "deployment", "external_id": "web-1042", "service": "web", "environment": "production",
        "status": "success", "deployed_at": (now - timedelta(hours=1)).isoformat(),
        "first_commit_at": (now - timedelta(hours=9)).isoformat(), "commit_sha": "3f1c9e2",
        "labels": ["hotfix"],
    }  # fmt: skip
    assert generic(client, webhook, secret, deployment).status_code == 201
    stored = Deployment.objects.get(external_id="web-1042")
    assert stored.is_rework and "label “hotfix” matches “hotfix”" in stored.placed_by
    assert stored.deployed_at - stored.first_commit_at == timedelta(hours=8)
    incident = {
        "kind": "incident", "external_id": "inc-7", "service": "web", "severity": "high",
        "started_at": (now - timedelta(minutes=30)).isoformat(), "deployment_external_id": "web-1042",
    }  # fmt: skip
    assert generic(client, webhook, secret, incident).status_code == 201
    assert Incident.objects.get(external_id="inc-7").caused_by == stored


def test_generic_replays_and_tampering_get_401(client, hook):
    webhook, secret = hook("generic")
    data = {"kind": "deployment", "external_id": "x", "service": "web", "environment": "production",
            "status": "success", "deployed_at": "2026-01-01T00:00:00Z"}  # fmt: skip
    stale = int(time.time()) - 6 * 60
    response = generic(client, webhook, secret, data, at=stale)
    assert response.status_code == 401 and "replay" in response.json()["detail"]
    body = json.dumps(data).encode()
    stamp = str(int(time.time()))
    signature = "sha256=" + sign(secret, stamp.encode() + b"." + body)
    tampered = post(
        client,
        webhook,
        body.replace(b"production", b"prod"),
        **{"X-Gemba-Timestamp": stamp, "X-Gemba-Signature": signature},
    )
    assert tampered.status_code == 401
    assert not Deployment.objects.exists()


@pytest.mark.parametrize(
    ("change", "word"),
    [
        ({"kind": "build"}, "kind"),
        ({"status": "maybe"}, "status"),
        ({"deployed_at": "yesterday"}, "deployed_at"),
        ({"deployed_at": "2026-01-01T00:00:00"}, "time zone"),
        ({"external_id": ""}, "external_id"),
        (
            {"first_commit_at": "2027-01-01T00:00:00Z", "deployed_at": "2026-01-01T00:00:00Z"},
            "first_commit_at",
        ),
    ],
)
def test_generic_bad_fields_are_400_with_the_field_named_and_nothing_stored(client, hook, change, word):
    webhook, secret = hook("generic")
    data = {"kind": "deployment", "external_id": "x", "service": "web", "environment": "production",
            "status": "success", "deployed_at": "2026-01-01T00:00:00Z", **change}  # fmt: skip
    response = generic(client, webhook, secret, data)
    assert response.status_code == 400
    assert word in response.json()["detail"]
    assert not Deployment.objects.exists() and not WebhookDelivery.objects.exists()


# --- rules: routes, rollbacks


def test_a_monorepo_path_routes_to_its_team(client, hook, team, group):
    ledger = TeamFactory(group=group, slug="payments-ledger", name="Payments Ledger")
    rules = DeliveryRules.objects.create(group=group)
    ServiceRoute.objects.create(
        rules=rules, pattern="acme/shop:services/ledger/*", team=ledger, service="ledger-api"
    )
    webhook, secret = hook("generic")
    data = {"kind": "deployment", "external_id": "mono-1", "service": "shop", "environment": "production",
            "status": "success", "deployed_at": "2026-01-01T00:00:00Z",
            "origin": "acme/shop:services/ledger/main.py"}  # fmt: skip
    assert generic(client, webhook, secret, data).status_code == 201
    stored = Deployment.objects.get(external_id="mono-1")
    assert stored.team == ledger and stored.service == "ledger-api"
    assert "matches route “acme/shop:services/ledger/*” → Payments Ledger (rules of group" in stored.routed_by


def test_a_rollback_to_an_earlier_commit_is_rework_and_remediates_the_one_before(client, hook, team):
    webhook, secret = hook("generic")
    base = datetime(2026, 1, 1, tzinfo=UTC)
    for number, sha in enumerate(["aaaaaaa1", "bbbbbbb2", "aaaaaaa1"]):
        at = (base + timedelta(hours=number)).isoformat()
        data = {"kind": "deployment", "external_id": f"r-{number}", "service": "web",
                "environment": "production", "status": "success", "deployed_at": at,
                "commit_sha": sha}  # fmt: skip
        assert generic(client, webhook, secret, data).status_code == 201
    rollback = Deployment.objects.get(external_id="r-2")
    assert rollback.is_rework and "a rollback to aaaaaaa1" in rollback.placed_by
    assert not Deployment.objects.get(external_id="r-1").is_rework


# --- manage.py create_webhook


def test_create_webhook_prints_the_url_and_the_secret_once(team):
    from io import StringIO

    out = StringIO()
    call_command(
        "create_webhook", "checkout", "github", "--base-url", "https://gemba.example.org", stdout=out
    )
    webhook = Webhook.objects.get(team=team)
    lines = out.getvalue().splitlines()
    assert lines[1] == f"URL:    https://gemba.example.org/webhooks/github/{webhook.public_id}"
    secret = lines[2].removeprefix("Secret: ")
    assert len(secret) >= 32 and secret not in webhook.secret_sealed


def test_create_webhook_takes_the_sites_address_from_gemba_base_url(team, settings):
    from io import StringIO

    settings.GEMBA_BASE_URL = "https://gemba.example.com/"
    out = StringIO()
    call_command("create_webhook", "checkout", "pagerduty", stdout=out)
    webhook = Webhook.objects.get(team=team)
    assert f"URL:    https://gemba.example.com/webhooks/pagerduty/{webhook.public_id}" in out.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope", "github"], "No team"),
        (["checkout", "bitbucket"], "Unknown provider"),
        (["checkout", "pagerduty", "--secret", "short"], "8 to 200"),
    ],
)
def test_create_webhook_refuses_bad_input(team, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_webhook", *args)
    assert not Webhook.objects.exists()


# --- whatever a signed sender posts, never a 500 and never half-written data

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=25,
)
# Bodies shaped like each provider's, with any value in any field.
SHAPED = st.fixed_dictionaries(
    {},
    optional={
        "deployment": st.dictionaries(st.sampled_from(["id", "sha", "environment", "payload", "ref"]), JSON),
        "deployment_status": st.dictionaries(st.sampled_from(["state", "updated_at", "created_at"]), JSON),
        "repository": JSON,
        "workflow_run": st.dictionaries(
            st.sampled_from(["id", "conclusion", "updated_at", "head_commit"]), JSON
        ),
        "commits": JSON,
        "object_kind": st.sampled_from(["deployment", "pipeline", "push"]),
        "status": JSON,
        "status_changed_at": JSON,
        "deployment_id": JSON,
        "environment": JSON,
        "commit": JSON,
        "event": st.dictionaries(st.sampled_from(["id", "event_type", "occurred_at", "data"]), JSON),
        "alert": st.dictionaries(
            st.sampled_from(["alertId", "createdAt", "updatedAt", "message", "tags"]), JSON
        ),
        "action": st.sampled_from(["Create", "Close", "completed"]),
        "kind": st.sampled_from(["deployment", "incident", "other"]),
        "external_id": JSON,
        "service": JSON,
        "deployed_at": JSON,
        "started_at": JSON,
    },
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    provider=st.sampled_from(["github", "gitlab", "pagerduty", "opsgenie", "generic"]),
    event=st.sampled_from(["deployment_status", "deployment", "workflow_run", "push", "ping"]),
    data=SHAPED,
)
def test_any_signed_body_gets_a_clear_answer_never_a_500(client, team, provider, event, data):
    webhook, secret = webhook_create(team=team, provider=provider)
    body = json.dumps(data).encode()
    stamp = str(int(time.time()))
    headers = {
        "X-GitHub-Event": event,
        "X-Hub-Signature-256": "sha256=" + sign(secret, body),
        "X-PagerDuty-Signature": "v1=" + sign(secret, body),
        "X-Gitlab-Token": secret,
        "X-Gemba-Token": secret,
        "X-Gemba-Timestamp": stamp,
        "X-Gemba-Signature": "sha256=" + sign(secret, stamp.encode() + b"." + body),
    }
    before = (Deployment.objects.count(), Incident.objects.count(), WebhookDelivery.objects.count())
    response = post(client, webhook, body, **headers)
    assert response.status_code in (200, 201, 400), response.content
    assert response.headers["Content-Type"] == "application/json"
    if response.status_code == 400:
        assert response.json()["detail"]
        assert (
            Deployment.objects.count(),
            Incident.objects.count(),
            WebhookDelivery.objects.count(),
        ) == before
