"""The source options both commands share: the monolith's API, or its SQLite file read-only."""

from django.conf import settings
from django.core.management.base import CommandError

from extracted.catalog.sync.source import MonolithSource
from extracted.catalog.sync.source_db import SqliteSource


def add_source_arguments(parser) -> None:
    parser.add_argument("--source", default=settings.CATALOG_MONOLITH_URL,
                        help="monolith base URL (CATALOG_MONOLITH_URL)")
    parser.add_argument("--token", default=settings.CATALOG_OUTBOX_TOKEN,
                        help="bearer token for /api/outbox/ (CATALOG_OUTBOX_TOKEN)")
    parser.add_argument("--source-db", default=None, metavar="PATH",
                        help="read the monolith's SQLite file read-only instead of its API")


def open_source(options: dict) -> MonolithSource | SqliteSource:
    if options["source_db"]:
        from extracted.catalog.sync.errors import SourceUnavailable

        try:
            return SqliteSource(options["source_db"])
        except SourceUnavailable as exc:
            raise CommandError(f"{exc}: give the monolith's database file", returncode=2) from None
    return MonolithSource(options["source"], token=options["token"])
