"""Apply the monolith's outbox events in sequence order, idempotently, and measure the lag.

A batch of events and the checkpoint after it commit in one transaction: a crash mid-batch
applies none of it, and the rerun starts at the same sequence. Events are full-state upserts
or deletes by primary key, so applying one twice changes nothing.

Gaps: a database may commit sequence 11 before 10 (PostgreSQL sequences). A gap younger than
``gap_grace`` seconds stops the batch before it, to be retried; an older gap is a rolled-back
transaction and is passed.
"""

from dataclasses import dataclass
from datetime import datetime, timezone

from django.db import transaction
from django.utils.dateparse import parse_datetime

from extracted.catalog.sync.errors import BadEvent
from extracted.catalog.sync.models import Checkpoint
from extracted.catalog.sync.selectors import applied_sequence
from extracted.catalog.sync.source import Source
from extracted.catalog.titles.services import UnknownAggregate, apply_delete, apply_upsert

DEFAULT_BATCH = 500
GAP_GRACE_SECONDS = 10.0


@dataclass(frozen=True)
class Lag:
    """How far this copy trails the monolith."""

    applied: int
    newest: int
    oldest_unapplied_age: float | None  # seconds; None when nothing is pending

    @property
    def events_behind(self) -> int:
        return max(self.newest - self.applied, 0)

    def __str__(self) -> str:
        age = "-" if self.oldest_unapplied_age is None else f"{self.oldest_unapplied_age:.1f}s"
        return (f"applied={self.applied} newest={self.newest} lag={self.events_behind} "
                f"oldest_unapplied_age={age}")


def _age(stamp: str | None, now: datetime) -> float | None:
    moment = parse_datetime(stamp) if stamp else None
    return None if moment is None else max((now - moment).total_seconds(), 0.0)


def apply_event(event: dict) -> None:
    try:
        if event["op"] == "delete":
            apply_delete(event["aggregate"], int(event["aggregate_id"]))
        elif event["op"] == "upsert":
            apply_upsert(event["aggregate"], event["payload"])
        else:
            raise ValueError(f"unknown op {event['op']!r}")
    except (UnknownAggregate, KeyError, TypeError, ValueError) as exc:
        raise BadEvent(f"outbox event {event.get('sequence')!r}: {exc}") from None


def sync_batch(
    source: Source, *, batch_size: int = DEFAULT_BATCH, gap_grace: float = GAP_GRACE_SECONDS
) -> int:
    """Apply the next batch; the number of events applied (0: caught up or waiting on a gap)."""
    position = applied_sequence()
    events = source.events(after=position, limit=batch_size)["events"]
    now = datetime.now(timezone.utc)
    take, expected = [], position + 1
    for event in events:
        if event["sequence"] != expected and (_age(event["created_at"], now) or 0) < gap_grace:
            break
        take.append(event)
        expected = event["sequence"] + 1
    if not take:
        return 0
    with transaction.atomic():
        for event in take:
            apply_event(event)
        Checkpoint.objects.update_or_create(
            name="sync", defaults={"position": {"sequence": take[-1]["sequence"]}}
        )
    return len(take)


def lag(source: Source) -> Lag:
    applied = applied_sequence()
    answer = source.events(after=applied, limit=1)
    now = datetime.now(timezone.utc)
    return Lag(applied, int(answer["newest_sequence"]), _age(answer["oldest_unread_at"], now))


def drain(
    source: Source,
    *,
    batch_size: int = DEFAULT_BATCH,
    gap_grace: float = GAP_GRACE_SECONDS,
    max_batches: int | None = None,
) -> tuple[int, Lag]:
    """Apply batches until caught up (or ``max_batches``); events applied and the lag after."""
    total = batches = 0
    while max_batches is None or batches < max_batches:
        applied = sync_batch(source, batch_size=batch_size, gap_grace=gap_grace)
        total += applied
        batches += 1
        if applied < batch_size:
            break
    return total, lag(source)


def rewind(sequence: int) -> None:
    """Replay from ``sequence`` on (events are idempotent, so a replay only re-confirms)."""
    Checkpoint.objects.update_or_create(name="sync", defaults={"position": {"sequence": sequence}})
