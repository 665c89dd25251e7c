"""Copy the whole catalog from the monolith's export API: idempotent and resumable.

Each page's rows and the checkpoint naming that page commit in one transaction, so after a
crash a rerun continues with the next page; rows are upserts by primary key, so a page copied
twice is harmless. The outbox sequence read before the first page (``mark``) is where sync
starts: every change made while the copy ran is replayed from there.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from extracted.catalog.sync.errors import BadEvent
from extracted.catalog.sync.models import Checkpoint
from extracted.catalog.sync.selectors import checkpoint_position
from extracted.catalog.sync.source import Source
from extracted.catalog.titles.services import UnknownAggregate, apply_upsert

AGGREGATE_ORDER = ("genre", "person", "title", "season", "episode", "credit")
DEFAULT_PAGE_SIZE = 200


@dataclass
class BackfillReport:
    mark: int
    resumed: bool
    pages: int = 0
    copied: dict[str, int] = field(default_factory=dict)
    skipped: int = 0


def backfill(
    source: Source,
    *,
    page_size: int = DEFAULT_PAGE_SIZE,
    restart: bool = False,
    progress: Callable[[str], None] = lambda line: None,
) -> BackfillReport:
    """Copy every aggregate, parents first, continuing an unfinished run unless ``restart``."""
    position = checkpoint_position("backfill")
    resumed = bool(position) and not position.get("finished") and not restart
    if not resumed:
        mark = int(source.events(after=0, limit=1)["newest_sequence"])
        position = {"mark": mark, "aggregate": AGGREGATE_ORDER[0], "after_id": 0,
                    "finished": False, "copied": {}}
        Checkpoint.objects.update_or_create(name="backfill", defaults={"position": position})
    report = BackfillReport(mark=position["mark"], resumed=resumed, copied=dict(position["copied"]))
    start = AGGREGATE_ORDER.index(position["aggregate"])
    for aggregate in AGGREGATE_ORDER[start:]:
        after_id = position["after_id"] if aggregate == position["aggregate"] else 0
        while True:
            page = source.export_page(aggregate, after_id=after_id, limit=page_size)
            rows = page["rows"]
            with transaction.atomic():
                for row in rows:
                    try:
                        copied = apply_upsert(aggregate, row)
                    except (UnknownAggregate, KeyError, TypeError, ValueError) as exc:
                        raise BadEvent(f"{aggregate} row {row.get('id')!r}: {exc}") from None
                    report.skipped += not copied
                if rows:
                    after_id = rows[-1]["id"]
                report.copied[aggregate] = report.copied.get(aggregate, 0) + len(rows)
                done = not page["has_more"]
                nxt = AGGREGATE_ORDER.index(aggregate) + 1
                position = {
                    **position,
                    "aggregate": aggregate if not done or nxt == len(AGGREGATE_ORDER)
                    else AGGREGATE_ORDER[nxt],
                    "after_id": after_id if not done else 0,
                    "copied": report.copied,
                    "finished": done and nxt == len(AGGREGATE_ORDER),
                }
                Checkpoint.objects.update_or_create(
                    name="backfill", defaults={"position": position}
                )
            report.pages += 1
            progress(f"{aggregate}: {report.copied[aggregate]} rows (after id {after_id})")
            if done:
                break
    # Sync continues from the mark unless it already runs (then it has its own position).
    Checkpoint.objects.get_or_create(name="sync", defaults={"position": {"sequence": report.mark}})
    return report
