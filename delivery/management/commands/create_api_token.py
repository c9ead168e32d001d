from django.core.management.base import BaseCommand, CommandError

from delivery.models import ApiToken
from delivery.services import api_token_create
from teams.models import Team


class Command(BaseCommand):
    help = "Create an API token for a team's pipelines. Prints the token as the last line; it is shown once."

    def add_arguments(self, parser) -> None:
        parser.add_argument("team", help="the team's slug")
        parser.add_argument("name", help="where the token will be used, e.g. 'GitHub Actions'")

    def handle(self, *args, team: str, name: str, **options) -> None:
        found = Team.objects.filter(slug=team).first()
        if found is None:
            raise CommandError(f"No team with the slug {team!r}.")
        name = name.strip()
        max_length = ApiToken._meta.get_field("name").max_length
        if not name or len(name) > max_length or "\x00" in name:
            raise CommandError(f"The name must be 1 to {max_length} characters.")
        _token, raw = api_token_create(team=found, name=name, by=None)
        self.stdout.write(f"API token {name!r} for {found.name}. Copy it now: it is not shown again.")
        self.stdout.write(raw)
