"""Live request figures per route, shared by every worker through the state file.

Each worker counts in memory (:class:`RouteCounters`, a dict increment per request) and
flushes the deltas about once a second in one short transaction; the admin listener (in
the ``serve`` parent) sums the rows. Columns: requests, those answered by the service,
5xx/errors on each side. Counters only grow, so several workers simply add up.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from strangler_proxy.state_schema import connect, transaction

__all__ = ["RouteCounters", "RouteStats", "RouteStatsStore", "SqliteRouteStats"]

_SCHEMA = """CREATE TABLE IF NOT EXISTS route_stats (
    route TEXT PRIMARY KEY, requests INTEGER NOT NULL DEFAULT 0,
    service_requests INTEGER NOT NULL DEFAULT 0, monolith_errors INTEGER NOT NULL DEFAULT 0,
    service_errors INTEGER NOT NULL DEFAULT 0)"""
_FIELDS = ("requests", "service_requests", "monolith_errors", "service_errors")


@dataclass(slots=True)
class RouteStats:
    requests: int = 0
    service_requests: int = 0
    monolith_errors: int = 0
    service_errors: int = 0

    @property
    def monolith_error_rate(self) -> float | None:
        monolith = self.requests - self.service_requests
        return self.monolith_errors / monolith if monolith > 0 else None

    @property
    def service_error_rate(self) -> float | None:
        return self.service_errors / self.service_requests if self.service_requests else None


class RouteStatsStore(Protocol):
    def add(self, deltas: dict[str, RouteStats]) -> None:
        """Add one worker's counts since its last flush."""

    def read(self) -> dict[str, RouteStats]:
        """Totals by route."""

    def close(self) -> None:
        """Release the connection."""


class SqliteRouteStats:
    def __init__(self, path: str | Path) -> None:
        self._conn = connect(path)
        with transaction(self._conn) as cur:
            cur.execute(_SCHEMA)
        self._lock = threading.Lock()

    def add(self, deltas: dict[str, RouteStats]) -> None:
        if not deltas:
            return
        columns = ", ".join(_FIELDS)
        updates = ", ".join(f"{f} = {f} + excluded.{f}" for f in _FIELDS)
        with self._lock, transaction(self._conn) as cur:
            for route, s in deltas.items():
                cur.execute(
                    f"INSERT INTO route_stats (route, {columns}) VALUES (?, ?, ?, ?, ?) "
                    f"ON CONFLICT (route) DO UPDATE SET {updates}",
                    (route, s.requests, s.service_requests, s.monolith_errors, s.service_errors))

    def read(self) -> dict[str, RouteStats]:
        with self._lock:
            rows = self._conn.execute(f"SELECT route, {', '.join(_FIELDS)} FROM route_stats"
                                      ).fetchall()
        return {route: RouteStats(*values) for route, *values in rows}

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class RouteCounters:
    """One worker's counts since the last flush (the request path only increments)."""

    def __init__(self) -> None:
        self._pending: dict[str, RouteStats] = {}

    def count(self, route: str, *, service: bool, error: bool) -> None:
        stats = self._pending.get(route)
        if stats is None:
            stats = self._pending[route] = RouteStats()
        stats.requests += 1
        if service:
            stats.service_requests += 1
            stats.service_errors += error
        else:
            stats.monolith_errors += error

    def take(self) -> dict[str, RouteStats]:
        """The counts so far; the next counts start from zero."""
        pending, self._pending = self._pending, {}
        return pending

    def restore(self, deltas: dict[str, RouteStats]) -> None:
        """Put back counts that could not be written, added to those counted since."""
        for route, s in deltas.items():
            stats = self._pending.setdefault(route, RouteStats())
            stats.requests += s.requests
            stats.service_requests += s.service_requests
            stats.monolith_errors += s.monolith_errors
            stats.service_errors += s.service_errors
