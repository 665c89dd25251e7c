"""``manage.py sync``: apply the monolith's outbox events and report the lag."""

import time

from django.core.management.base import BaseCommand, CommandError

from extracted.catalog.sync.drain import DEFAULT_BATCH, GAP_GRACE_SECONDS, drain, lag, rewind
from extracted.catalog.sync.errors import SourceRejected, SyncError
from extracted.catalog.sync.management.commands._source_options import (
    add_source_arguments,
    open_source,
)


class Command(BaseCommand):
    help = "Drain the monolith's catalog outbox into this service; --follow keeps going."

    def add_arguments(self, parser) -> None:
        add_source_arguments(parser)
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH)
        parser.add_argument("--max-batches", type=int, default=None,
                            help="stop after this many batches (default: until caught up)")
        parser.add_argument("--gap-grace", type=float, default=GAP_GRACE_SECONDS)
        parser.add_argument("--follow", action="store_true", help="loop until interrupted")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between rounds")
        parser.add_argument("--from-sequence", type=int, default=None,
                            help="replay from this sequence (events are idempotent)")
        parser.add_argument("--status", action="store_true", help="report the lag, apply nothing")

    def handle(self, *args, **options) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1", returncode=2)
        try:
            with open_source(options) as source:
                if options["status"]:
                    self.stdout.write(str(lag(source)))
                    return
                if options["from_sequence"] is not None:
                    rewind(options["from_sequence"])
                self._run(source, options)
        except KeyboardInterrupt:
            # A batch cut short rolled back with its checkpoint: the next run redoes it.
            self.stdout.write("sync: stopped")
        except SourceRejected as exc:
            raise CommandError(str(exc), returncode=2) from None
        except SyncError as exc:
            message = f"{exc}; rerun to resume from the last batch"
            raise CommandError(message, returncode=1) from None

    def _run(self, source, options: dict) -> None:
        while True:
            applied, behind = drain(source, batch_size=options["batch_size"],
                                    gap_grace=options["gap_grace"],
                                    max_batches=options["max_batches"])
            self.stdout.write(f"sync: applied {applied} events; {behind}")
            if not options["follow"]:
                return
            time.sleep(options["interval"])
