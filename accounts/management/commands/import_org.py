from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.directory import Unreadable
from accounts.importing import ImportRejected, org_import


class Command(BaseCommand):
    help = (
        "Import groups, teams, people and memberships from a CSV or JSON file (docs/org-example.*), "
        "all or nothing. --dry-run prints what would be created, changed and deactivated."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="change nothing; say what the import would do"
        )

    def handle(self, *args, file: Path, dry_run: bool, **options) -> None:
        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        try:
            plan = org_import(content=content, filename=file.name, dry_run=dry_run)
        except Unreadable as error:
            raise CommandError(f"{file.name}: {error}. Nothing was imported.") from error
        except ImportRejected as rejected:
            for problem in rejected.problems[:200]:
                self.stderr.write(f"{file.name}: {problem}")
            more = len(rejected.problems) - 200
            if more > 0:
                self.stderr.write(f"… and {more} more")
            raise CommandError(f"{len(rejected.problems)} problems: nothing was imported.") from rejected
        self.stdout.write(
            "Dry run: nothing was changed. The import would do this:" if dry_run else "Imported:"
        )
        for line in plan.lines():
            self.stdout.write(f"  {line}")
