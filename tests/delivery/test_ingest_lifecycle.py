"""Issue 16: the life of a team's delivery data, generated — deploy, fail, hotfix, roll back,
trigger and resolve incidents, redeliver, change the rules, dry-run them, apply them.

A hypothesis state machine sends signed GitHub and PagerDuty calls through the webhook code (as
the providers would, in time order) and keeps the truth: which deployments and incidents were
sent. After every step it checks what the keys promise (SPEC §3.6): a redelivery or a dry run
changes nothing; every incident's deployment is a production deployment of its team from before
it started; the counts behind the keys add up; rule changes move what they say they move.
Each example runs in a savepoint rolled back at its end.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from delivery import dora
from delivery.ingest import rules_apply, rules_change, webhook_receive
from delivery.metrics import window_keys
from delivery.models import DeliveryRules, Deployment, Incident, WebhookDelivery
from delivery.services import webhook_create
from tests.factories import TeamFactory

SERVICES = ["web", "api"]
ENVIRONMENTS = ["production", "prod-eu", "staging"]


@dataclass
class Sent:
    provider: str
    event: str
    delivery: str
    body: bytes


class DeliveryLifecycle(RuleBasedStateMachine):
    @initialize()
    def start(self) -> None:
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.team = TeamFactory()
        self.github, self.github_secret = webhook_create(team=self.team, provider="github")
        self.pagerduty, self.pagerduty_secret = webhook_create(team=self.team, provider="pagerduty")
        self.clock = timezone.now() - timedelta(days=60)
        self.sent: list[Sent] = []
        self.deployments = 0
        self.shas: dict[str, list[str]] = {service: [] for service in SERVICES}
        self.incidents: list[tuple[str, str, datetime]] = []  # (id, service, started)
        self.resolved: set[str] = set()

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- sending

    def _tick(self, minutes: int) -> datetime:
        self.clock += timedelta(minutes=minutes)
        return self.clock

    def _send(self, provider: str, event: str, payload: dict) -> None:
        body = json.dumps(payload).encode()
        delivery = f"{provider}-{len(self.sent)}"
        self.sent.append(Sent(provider, event, delivery, body))
        received = self._deliver(self.sent[-1])
        assert received.status in (200, 201), received.body

    def _deliver(self, sent: Sent):
        webhook, secret = (
            (self.github, self.github_secret)
            if sent.provider == "github"
            else (self.pagerduty, self.pagerduty_secret)
        )
        signature = hmac.new(secret.encode(), sent.body, hashlib.sha256).hexdigest()
        if sent.provider == "github":
            headers = {"X-GitHub-Event": sent.event, "X-GitHub-Delivery": sent.delivery,
                       "X-Hub-Signature-256": f"sha256={signature}"}  # fmt: skip
        else:
            headers = {"X-PagerDuty-Signature": f"v1={signature}"}
        return webhook_receive(
            provider=sent.provider, public_id=webhook.public_id, headers=headers, body=sent.body
        )

    def _snapshot(self) -> tuple:
        return (
            list(
                Deployment.objects.order_by("pk").values_list(
                    "pk", "status", "is_production", "is_rework", "placed_by"
                )
            ),
            list(Incident.objects.order_by("pk").values_list("pk", "caused_by", "resolved_at", "linked_by")),
            WebhookDelivery.objects.count(),
        )

    # --- rules

    @rule(
        service=st.sampled_from(SERVICES),
        environment=st.sampled_from(ENVIRONMENTS),
        state=st.sampled_from(["success", "success", "success", "failure"]),
        branch=st.sampled_from(["main", "main", "hotfix/x"]),
        rollback=st.booleans(),
        minutes=st.integers(min_value=1, max_value=600),
    )
    def deploy(self, service, environment, state, branch, rollback, minutes) -> None:
        at = self._tick(minutes)
        self.deployments += 1
        earlier = self.shas[service]
        sha = earlier[-2] if rollback and len(earlier) > 1 else f"{self.deployments:040x}"
        self._send(
            "github",
            "push",
            {"ref": "refs/heads/main", "repository": {"id": 1, "name": "shop", "full_name": "acme/shop"},
             "commits": [{"id": sha, "timestamp": (at - timedelta(hours=2)).isoformat()}]},
        )  # fmt: skip
        self._send(
            "github",
            "deployment_status",
            {
                "deployment_status": {"state": state, "updated_at": at.isoformat()},
                "deployment": {"id": self.deployments, "sha": sha, "ref": branch, "environment": environment,
                               "payload": {"service": service}},
                "repository": {"id": 1, "name": "shop", "full_name": "acme/shop"},
            },
        )  # fmt: skip
        if state == "success" and environment != "staging":
            earlier.append(sha)

    @rule(
        service=st.sampled_from([*SERVICES, "database"]), name_sha=st.booleans(), minutes=st.integers(1, 300)
    )
    def trigger(self, service, name_sha, minutes) -> None:
        at = self._tick(minutes)
        number = f"P{len(self.incidents)}"
        shas = self.shas.get(service) or []
        title = f"Errors after {shas[-1][:7]}" if name_sha and shas else "Errors"
        self.incidents.append((number, service, at))
        self._send(
            "pagerduty",
            "incident.triggered",
            {"event": {"id": f"e-{len(self.sent)}", "event_type": "incident.triggered",
                       "occurred_at": at.isoformat(),
                       "data": {"id": number, "title": title, "created_at": at.isoformat(), "urgency": "high",
                                "service": {"summary": service}}}},
        )  # fmt: skip

    @precondition(lambda self: any(i[0] not in self.resolved for i in self.incidents))
    @rule(data=st.data(), minutes=st.integers(1, 600))
    def resolve(self, data, minutes) -> None:
        number, service, started = data.draw(
            st.sampled_from([i for i in self.incidents if i[0] not in self.resolved])
        )
        at = self._tick(minutes)
        self.resolved.add(number)
        self._send(
            "pagerduty",
            "incident.resolved",
            {"event": {"id": f"e-{len(self.sent)}", "event_type": "incident.resolved",
                       "occurred_at": at.isoformat(),
                       "data": {"id": number, "status": "resolved", "created_at": started.isoformat(),
                                "urgency": "high", "service": {"summary": service}}}},
        )  # fmt: skip

    @precondition(lambda self: self.sent)
    @rule(data=st.data())
    def redeliver(self, data) -> None:
        sent = data.draw(st.sampled_from(self.sent))
        before = self._snapshot()
        received = self._deliver(sent)
        assert received.status == 200 and received.body["outcome"] == "duplicate"
        assert self._snapshot() == before, "a redelivered event changed something"

    @rule(patterns=st.sampled_from(["production", "production\nprod-*", "*", "prod-*\nstaging"]),
          window=st.sampled_from([0, 1, 24]))  # fmt: skip
    def change_rules(self, patterns, window) -> None:
        # As the rules page does: the team's own rules, changed (or new ones).
        proposed = DeliveryRules.objects.filter(team=self.team).first() or DeliveryRules(team=self.team)
        proposed.production, proposed.link_window_hours = patterns, window
        before = self._snapshot()
        from delivery.ingest import proposed_rules

        preview = rules_apply(team=self.team, dry_run=True, proposed=proposed_rules(self.team, proposed, []))
        assert self._snapshot() == before, "a dry run changed something"
        moved = rules_change(team=self.team, stored=proposed, routes=[])
        SEEN["rule moves"] += len(moved)
        assert len(moved) == len(preview), "saving moved other records than the dry run listed"
        assert rules_apply(team=self.team, dry_run=True) == [], "applied rules still want to move records"

    # --- invariants

    @invariant()
    def incidents_point_at_production_deployments_before_them(self) -> None:
        for incident in Incident.objects.select_related("caused_by"):
            if incident.caused_by_id is None:
                assert incident.linked_by.startswith("not linked"), incident.linked_by
                continue
            cause = incident.caused_by
            assert cause.team_id == incident.team_id
            assert cause.deployed_at <= incident.started_at
            assert cause.status == "success"
            assert incident.linked_by.startswith("caused by"), incident.linked_by

    @invariant()
    def every_deployment_says_why_it_is_where_it_is(self) -> None:
        for deployment in Deployment.objects.all():
            assert deployment.routed_by and deployment.placed_by
            assert deployment.placed_by.startswith("production:") == deployment.is_production
            if deployment.first_commit_at is not None:
                assert deployment.first_commit_at <= deployment.deployed_at

    @invariant()
    def the_counts_behind_the_keys_add_up(self) -> None:
        if not hasattr(self, "team"):
            return
        keys = window_keys(self.team, now=self.clock + timedelta(minutes=1), window_days=365)
        produced = Deployment.objects.filter(team=self.team, is_production=True, status="success").count()
        attempts = Deployment.objects.filter(team=self.team, is_production=True, status="failure").count()
        assert keys.deployments == produced and keys.failed_attempts == attempts
        assert 0 <= keys.change_failures <= keys.deployments
        assert keys.recovery_samples + keys.unrecovered == keys.change_failures
        assert keys.lead_time_samples + keys.without_lead_time == keys.deployments
        assert keys.rework_deployments <= keys.deployments
        SEEN["change failures"] = max(SEEN["change failures"], keys.change_failures)
        SEEN["rework"] = max(SEEN["rework"], keys.rework_deployments)
        SEEN["linked incidents"] = max(
            SEEN["linked incidents"], Incident.objects.filter(caused_by__isnull=False).count()
        )
        performance = dora.assess(keys)
        assert (performance is None) == (keys.deployments == 0)
        assert Deployment.objects.filter(team=self.team).count() == len(
            {json.loads(s.body)["deployment"]["id"] for s in self.sent if s.event == "deployment_status"}
        )


SEEN = {"linked incidents": 0, "change failures": 0, "rework": 0, "rule moves": 0}


def test_delivery_data_keeps_its_promises_over_its_life(db, record_property):
    run_state_machine_as_test(
        DeliveryLifecycle,
        settings=hypothesis_settings(
            max_examples=12,
            stateful_step_count=25,
            deadline=None,
            derandomize=True,
            database=None,
            print_blob=False,
            phases=[Phase.explicit, Phase.generate, Phase.shrink],
            suppress_health_check=[
                HealthCheck.too_slow,
                HealthCheck.data_too_large,
                HealthCheck.filter_too_much,
            ],
        ),
    )
    for name, count in SEEN.items():
        record_property(f"count:delivery lifecycle {name}", count)
    # The machine reached what it checks: links, failures, rework and rule moves happened.
    assert all(SEEN.values()), SEEN
