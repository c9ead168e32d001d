"""Ships Gemba's first default maturity model, published.

Its content is written here as it shipped, not read from assessments/shipped/ (which keeps the
models' current files, translations and all): a migration must do the same thing forever.
"""

import json

from django.db import migrations

DATA = json.loads(r"""
{
 "name": "Gemba DevOps maturity",
 "version": 1,
 "description": "Gemba's default model: eight dimensions of DevOps culture and practice on DORA's 7-point agreement scale.",
 "scale": {
  "points": 7,
  "labels": [
   "Strongly disagree",
   "Disagree",
   "Somewhat disagree",
   "Neither agree nor disagree",
   "Somewhat agree",
   "Agree",
   "Strongly agree"
  ]
 },
 "levels": [
  {
   "level": 1,
   "name": "Initial",
   "min_index": 0
  },
  {
   "level": 2,
   "name": "Managed",
   "min_index": 20
  },
  {
   "level": 3,
   "name": "Defined",
   "min_index": 40
  },
  {
   "level": 4,
   "name": "Measured",
   "min_index": 60
  },
  {
   "level": 5,
   "name": "Optimising",
   "min_index": 80
  }
 ],
 "dimensions": [
  {
   "key": "culture",
   "name": "Culture & collaboration",
   "description": "How information, responsibility and risk move through the team: Westrum's generative culture, psychological safety and blameless learning.",
   "weight": 1.0,
   "questions": [
    {
     "key": "information-flows",
     "text": "When I need information from another part of the organisation, I get it quickly and in a form I can use.",
     "help": "Westrum: information is actively sought.",
     "reverse": false
    },
    {
     "key": "shared-responsibility",
     "text": "Responsibilities are shared: when something goes wrong, we fix it together instead of pointing at whose part it was.",
     "help": "Westrum: risks are shared.",
     "reverse": false
    },
    {
     "key": "bridging",
     "text": "Working across team boundaries is encouraged and rewarded.",
     "help": "Westrum: bridging is encouraged.",
     "reverse": false
    },
    {
     "key": "failure-inquiry",
     "text": "When something fails, people here first ask who is to blame.",
     "help": "Westrum: failure leads to inquiry. Reverse-scored: agreeing is the weaker answer.",
     "reverse": true
    },
    {
     "key": "new-ideas",
     "text": "New ideas are welcome here, even when they question how we work today.",
     "help": "Westrum: novelty is implemented.",
     "reverse": false
    },
    {
     "key": "messengers",
     "text": "People who raise problems or bring bad news are thanked, not punished.",
     "help": "Westrum: messengers are trained, not shot. This is also about psychological safety.",
     "reverse": false
    }
   ]
  },
  {
   "key": "cicd",
   "name": "Continuous integration & delivery",
   "description": "How changes flow from a commit to production: trunk-based work, small batches and automation.",
   "weight": 1.0,
   "questions": [
    {
     "key": "trunk-based",
     "text": "We merge our work into the main branch at least once a day; branches rarely live longer than a day or two.",
     "help": "Trunk-based development.",
     "reverse": false
    },
    {
     "key": "small-batches",
     "text": "Our changes are small enough to review, test and deploy within a day.",
     "help": "Working in small batches.",
     "reverse": false
    },
    {
     "key": "automated-tests",
     "text": "Every change runs an automated test suite that we trust to catch regressions.",
     "help": "",
     "reverse": false
    },
    {
     "key": "automated-deploy",
     "text": "Deploying to production is a single automated step that anyone on the team can run.",
     "help": "",
     "reverse": false
    },
    {
     "key": "change-approval",
     "text": "A release needs sign-off from a change board or a planned release window before it can go out.",
     "help": "Heavyweight change approval. Reverse-scored.",
     "reverse": true
    }
   ]
  },
  {
   "key": "progressive-delivery",
   "name": "Testing in production & progressive delivery",
   "description": "How safely new code meets real users: feature flags, dark launches, canaries and fast rollback.",
   "weight": 1.0,
   "questions": [
    {
     "key": "feature-flags",
     "text": "We separate deploying code from releasing features, using feature flags.",
     "help": "",
     "reverse": false
    },
    {
     "key": "dark-launches",
     "text": "We can run new code in production without users seeing it (dark launches) to test it under real load.",
     "help": "",
     "reverse": false
    },
    {
     "key": "canaries",
     "text": "New versions reach a small share of traffic first and go further only when their health looks right.",
     "help": "Canary or progressive rollouts.",
     "reverse": false
    },
    {
     "key": "beta-opt-in",
     "text": "Colleagues or customers can opt in to try new features before everyone gets them.",
     "help": "Internal users and beta programmes.",
     "reverse": false
    },
    {
     "key": "rollback",
     "text": "If a release misbehaves, we can roll it back or switch it off within minutes.",
     "help": "",
     "reverse": false
    }
   ]
  },
  {
   "key": "resilience",
   "name": "Resilience & managing failure",
   "description": "How the service survives failure and how the team responds when it happens.",
   "weight": 1.0,
   "questions": [
    {
     "key": "redundancy",
     "text": "Our service keeps working when a single zone, node or provider fails.",
     "help": "Redundancy across zones or providers.",
     "reverse": false
    },
    {
     "key": "failover-drills",
     "text": "We regularly practise failing over and restoring from backup, and we know how long it takes.",
     "help": "",
     "reverse": false
    },
    {
     "key": "chaos",
     "text": "We run controlled experiments that inject failure to find weaknesses before our users do.",
     "help": "Chaos engineering.",
     "reverse": false
    },
    {
     "key": "graceful-degradation",
     "text": "When a dependency is down, our service degrades gracefully instead of failing completely.",
     "help": "",
     "reverse": false
    },
    {
     "key": "incident-response",
     "text": "Everyone knows how an incident is run: who leads, how we communicate, and how we hand over.",
     "help": "",
     "reverse": false
    }
   ]
  },
  {
   "key": "security",
   "name": "Security",
   "description": "How security is built into everyday work, from the first commit to the running container.",
   "weight": 1.0,
   "questions": [
    {
     "key": "shift-left",
     "text": "Security checks run automatically on every change, early enough to fix findings before merging.",
     "help": "Shifting security left.",
     "reverse": false
    },
    {
     "key": "dependency-scanning",
     "text": "Our dependencies and container images are scanned for known vulnerabilities, and we act on what is found.",
     "help": "",
     "reverse": false
    },
    {
     "key": "runtime-detection",
     "text": "We detect unusual behaviour of running workloads at runtime and can stop an anomalous container automatically.",
     "help": "Runtime threat detection.",
     "reverse": false
    },
    {
     "key": "secrets",
     "text": "Passwords, tokens or keys sometimes end up in code, tickets or chat.",
     "help": "Secrets handling. Reverse-scored.",
     "reverse": true
    },
    {
     "key": "security-partnership",
     "text": "Security specialists work with us early in design, not only at a final review.",
     "help": "",
     "reverse": false
    }
   ]
  },
  {
   "key": "observability",
   "name": "Observability",
   "description": "How well the team sees what its systems do and how users experience them.",
   "weight": 1.0,
   "questions": [
    {
     "key": "monitoring",
     "text": "We have dashboards that show the health of our service and we look at them as part of our daily work.",
     "help": "",
     "reverse": false
    },
    {
     "key": "tracing",
     "text": "We can follow a single request across services to find where time is spent or where it failed.",
     "help": "Distributed tracing.",
     "reverse": false
    },
    {
     "key": "slos",
     "text": "Our service has service level objectives that we agreed with its users, and we track them.",
     "help": "SLOs and error budgets.",
     "reverse": false
    },
    {
     "key": "symptom-alerts",
     "text": "Our alerts fire on symptoms users feel (errors, latency), not on every internal cause.",
     "help": "",
     "reverse": false
    },
    {
     "key": "customers-first",
     "text": "We often hear about problems from customers before our own monitoring tells us.",
     "help": "Reverse-scored.",
     "reverse": true
    }
   ]
  },
  {
   "key": "lean-flow",
   "name": "Lean flow",
   "description": "How work flows through the team: visible, limited, and shaped by feedback.",
   "weight": 1.0,
   "questions": [
    {
     "key": "visible-work",
     "text": "All of our work, planned and unplanned, is visible on one board.",
     "help": "Visual management.",
     "reverse": false
    },
    {
     "key": "wip-limits",
     "text": "We limit work in progress and finish things before starting new ones.",
     "help": "",
     "reverse": false
    },
    {
     "key": "value-stream",
     "text": "We understand the whole path from an idea to a customer using it, including the waits between steps.",
     "help": "Value-stream thinking.",
     "reverse": false
    },
    {
     "key": "fast-feedback",
     "text": "We get feedback from users on a change within days of shipping it.",
     "help": "",
     "reverse": false
    }
   ]
  },
  {
   "key": "learning",
   "name": "Learning & improvement",
   "description": "How the team gets better: time, experiments and sharing what it learns.",
   "weight": 1.0,
   "questions": [
    {
     "key": "improvement-time",
     "text": "We have protected time for improvement work, not only for features.",
     "help": "",
     "reverse": false
    },
    {
     "key": "experiments",
     "text": "We try improvements as small experiments and check whether they worked.",
     "help": "PDCA, improvement kata.",
     "reverse": false
    },
    {
     "key": "blameless-reviews",
     "text": "After an incident we hold a blameless review and follow up on what we learn.",
     "help": "Blameless post-incident reviews.",
     "reverse": false
    },
    {
     "key": "knowledge-sharing",
     "text": "Knowledge is shared: more than one person can do each important task.",
     "help": "",
     "reverse": false
    },
    {
     "key": "psychological-safety",
     "text": "I can admit a mistake or say I do not know without it being held against me.",
     "help": "Psychological safety.",
     "reverse": false
    }
   ]
  }
 ]
}
""")


def create_default_model(apps, schema_editor):
    MaturityModel = apps.get_model("assessments", "MaturityModel")
    Dimension = apps.get_model("assessments", "Dimension")
    Question = apps.get_model("assessments", "Question")
    data = DATA
    if MaturityModel.objects.filter(name=data["name"], version=data["version"]).exists():
        return
    model = MaturityModel.objects.create(
        name=data["name"],
        version=data["version"],
        description=data["description"],
        published=True,
        scale_points=data["scale"]["points"],
        scale_labels=data["scale"]["labels"],
        levels=data["levels"],
    )
    for order, dimension_data in enumerate(data["dimensions"], start=1):
        dimension = Dimension.objects.create(
            model=model,
            key=dimension_data["key"],
            name=dimension_data["name"],
            description=dimension_data["description"],
            order=order,
            weight=dimension_data["weight"],
        )
        Question.objects.bulk_create(
            Question(
                dimension=dimension,
                key=question["key"],
                text=question["text"],
                help_text=question["help"],
                order=position,
                reverse=question["reverse"],
            )
            for position, question in enumerate(dimension_data["questions"], start=1)
        )


def remove_default_model(apps, schema_editor):
    MaturityModel = apps.get_model("assessments", "MaturityModel")
    data = DATA
    MaturityModel.objects.filter(name=data["name"], version=data["version"], rounds__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]

    operations = [migrations.RunPython(create_default_model, remove_default_model)]
