from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from delivery.models import Provider
from delivery.services import webhook_create, webhook_url_path
from teams.models import Team


class Command(BaseCommand):
    help = (
        "Create a webhook for a team's provider (github, gitlab, pagerduty, opsgenie, generic). Prints the "
        "URL path and the secret; the secret is shown once."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("team", help="the team's slug")
        parser.add_argument("provider", help=", ".join(Provider.values))
        parser.add_argument("--name", default="", help="which repository or service, e.g. 'acme/shop'")
        parser.add_argument(
            "--secret",
            default="",
            help="use this secret (PagerDuty makes its own) instead of a random one; at least 8 characters",
        )
        parser.add_argument(
            "--base-url",
            default="",
            help="the site's address, e.g. https://gemba.example.org (default: GEMBA_BASE_URL)",
        )

    def handle(
        self, *args, team: str, provider: str, name: str, secret: str, base_url: str, **options
    ) -> None:
        found = Team.objects.filter(slug=team).first()
        if found is None:
            raise CommandError(f"No team with the slug {team!r}.")
        provider = provider.strip().lower()
        if provider not in Provider.values:
            raise CommandError(f"Unknown provider {provider!r}: choose one of {', '.join(Provider.values)}.")
        secret = secret.strip()
        if secret and (
            len(secret) < 8 or len(secret) > 200 or any(not ch.isprintable() or ch.isspace() for ch in secret)
        ):
            raise CommandError("The secret must be 8 to 200 printable characters without spaces.")
        name = name.strip()
        if len(name) > 100 or any(not ch.isprintable() for ch in name):
            raise CommandError("The name must be at most 100 characters on one line.")
        webhook, raw = webhook_create(team=found, provider=provider, name=name, secret=secret)
        self.stdout.write(
            f"{webhook.get_provider_display()} webhook for {found.name}. "
            "Copy the secret now: it is not shown again."
        )
        base_url = (base_url or settings.GEMBA_BASE_URL).rstrip("/")
        self.stdout.write(f"URL:    {base_url}{webhook_url_path(webhook)}")
        self.stdout.write(f"Secret: {raw}")
