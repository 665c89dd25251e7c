"""``manage.py backfill``: copy the catalog from the monolith (resumes an interrupted run)."""

from django.core.management.base import BaseCommand, CommandError

from extracted.catalog.sync.backfill import DEFAULT_PAGE_SIZE, backfill
from extracted.catalog.sync.errors import SourceRejected, SyncError
from extracted.catalog.sync.management.commands._source_options import (
    add_source_arguments,
    open_source,
)


class Command(BaseCommand):
    help = "Copy the catalog from the monolith's export API; a rerun continues where it stopped."

    def add_arguments(self, parser) -> None:
        add_source_arguments(parser)
        parser.add_argument("--page-size", type=int, default=DEFAULT_PAGE_SIZE)
        parser.add_argument("--restart", action="store_true",
                            help="start over instead of resuming an unfinished run")

    def handle(self, *args, **options) -> None:
        if options["page_size"] < 1:
            raise CommandError("--page-size must be at least 1", returncode=2)
        try:
            with open_source(options) as source:
                report = backfill(source, page_size=options["page_size"],
                                  restart=options["restart"], progress=self.stdout.write)
        except SourceRejected as exc:
            raise CommandError(str(exc), returncode=2) from None
        except SyncError as exc:
            message = f"{exc}; rerun to continue from the last page"
            raise CommandError(message, returncode=1) from None
        copied = ", ".join(f"{name}={count}" for name, count in report.copied.items())
        self.stdout.write(
            f"backfill {'resumed and ' if report.resumed else ''}finished: {copied}; "
            f"{report.pages} pages, {report.skipped} rows left to sync; sync starts after "
            f"sequence {report.mark}"
        )
