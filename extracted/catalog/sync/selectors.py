"""Reads of the copy's progress."""

from typing import Any

from extracted.catalog.sync.models import Checkpoint


def checkpoint_position(name: str) -> dict[str, Any] | None:
    row = Checkpoint.objects.filter(name=name).first()
    return None if row is None else dict(row.position)


def applied_sequence() -> int:
    """The last outbox sequence applied here (0 before any sync)."""
    position = checkpoint_position("sync") or {}
    return int(position.get("sequence", 0))
