"""The monolith's SQLite database file as a data source, opened read-only.

The same two reads as :class:`~extracted.catalog.sync.source.MonolithSource` (``export_page``
and ``events``, same shapes), straight from the tables: for a backfill when the monolith's API
is too slow or down. ``mode=ro`` makes SQLite refuse any write through this connection.
SQLite only; a PostgreSQL monolith is copied through its API.
"""

import json
import sqlite3
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from extracted.catalog.sync.errors import SourceUnavailable

# aggregate -> (table, columns in snapshot order); titles get genres, created_at, average too.
TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "genre": ("core_genre", ("id", "name", "slug")),
    "person": ("core_person", ("id", "name", "slug")),
    "title": ("core_title", ("id", "kind", "name", "slug", "year", "synopsis", "maturity_rating",
                             "runtime_minutes", "min_plan_tier", "rating_count", "is_published",
                             "average_rating", "created_at")),
    "season": ("core_season", ("id", "title_id", "number", "name")),
    "episode": ("core_episode", ("id", "season_id", "number", "name", "runtime_minutes")),
    "credit": ("core_credit", ("id", "person_id", "title_id", "role", "character",
                               "billing_order")),
}


def _aware(text: str | None) -> str | None:
    """Django keeps UTC datetimes in SQLite as naive text; snapshots carry ISO with offset."""
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).isoformat()


class SqliteSource:
    def __init__(self, path: Path | str) -> None:
        if not Path(path).is_file():
            raise SourceUnavailable(f"no monolith database at {path}")
        self._db = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
        self._db.row_factory = sqlite3.Row

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "SqliteSource":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise SourceUnavailable(f"reading the monolith database failed: {exc}") from None

    def _newest(self) -> int:
        return self._query("SELECT COALESCE(MAX(sequence), 0) FROM outbox_outboxevent")[0][0]

    def export_page(self, aggregate: str, *, after_id: int, limit: int) -> dict[str, Any]:
        table, columns = TABLES[aggregate]
        newest = self._newest()
        # Table and column names come from TABLES above, never from input.
        selected = ", ".join(f'"{column}"' for column in columns)
        found = self._query(
            f"SELECT {selected} FROM {table} WHERE id > ? ORDER BY id LIMIT ?",
            (after_id, limit + 1),
        )
        rows = [dict(row) for row in found[:limit]]
        for row in rows:
            if aggregate == "title":
                average = row["average_rating"]
                row["average_rating"] = None if average is None else f"{Decimal(str(average)):.2f}"
                row["is_published"] = bool(row["is_published"])
                row["created_at"] = _aware(row["created_at"])
                row["genres"] = [
                    g[0] for g in self._query(
                        "SELECT genre_id FROM core_title_genres WHERE title_id = ? ORDER BY genre_id",
                        (row["id"],),
                    )
                ]
        return {"aggregate": aggregate, "after_id": after_id, "has_more": len(found) > limit,
                "newest_sequence": newest, "rows": rows}

    def events(self, *, after: int, limit: int) -> dict[str, Any]:
        found = self._query(
            "SELECT sequence, aggregate, aggregate_id, op, payload, created_at "
            "FROM outbox_outboxevent WHERE sequence > ? ORDER BY sequence LIMIT ?",
            (after, limit),
        )
        oldest = self._query(
            "SELECT MIN(created_at) FROM outbox_outboxevent WHERE sequence > ?", (after,)
        )[0][0]
        events = [{**dict(row), "payload": json.loads(row["payload"]),
                   "created_at": _aware(row["created_at"])} for row in found]
        return {"after": after, "newest_sequence": self._newest(),
                "oldest_unread_at": _aware(oldest), "events": events}
