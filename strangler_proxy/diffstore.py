"""The diff store: per-route counters, differing paths, latency histograms, examples.

:class:`DiffStore` is the interface (a PostgreSQL implementation comes later);
:class:`SqliteDiffStore` keeps everything in the shared state file. Examples are redacted
by the store itself before they are written, whatever the caller already did, and are
capped in number per route (the most repeated kind of difference is evicted first, the
oldest of it) and in size per example.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from strangler_proxy import latency_hist
from strangler_proxy.compare.paths import generalise
from strangler_proxy.compare.result import Comparison
from strangler_proxy.example import ShadowExample, StoredExample, prepare_example
from strangler_proxy.gates import GateFigures
from strangler_proxy.redact import RedactRules
from strangler_proxy.state_schema import connect, transaction

DEFAULT_MAX_EXAMPLES = 20
DEFAULT_MAX_EXAMPLE_BYTES = 16_384
DEFAULT_MAX_PATHS = 200
Side = Literal["primary", "candidate"]


@dataclass(frozen=True, slots=True)
class RouteSummary:
    route: str
    compared: int
    matched: int
    mismatched: int
    dropped_overload: int
    dropped_too_large: int
    candidate_requests: int
    candidate_errors: int
    primary_p99_ms: float | None
    candidate_p99_ms: float | None
    top_paths: tuple[tuple[str, int], ...]

    @property
    def match_rate(self) -> float | None:
        return self.matched / self.compared if self.compared else None

    @property
    def candidate_error_rate(self) -> float | None:
        return self.candidate_errors / self.candidate_requests if self.candidate_requests else None

    def figures(self) -> GateFigures:
        return GateFigures(compared=self.compared, matched=self.matched,
                           candidate_requests=self.candidate_requests,
                           candidate_errors=self.candidate_errors,
                           primary_p99_ms=self.primary_p99_ms,
                           candidate_p99_ms=self.candidate_p99_ms)


class DiffStore(Protocol):
    def record_comparison(self, route: str, comparison: Comparison, *,
                          primary_ms: float | None = None, candidate_ms: float | None = None,
                          candidate_error: bool = False,
                          example: ShadowExample | None = None) -> None:
        """Count one comparison (and keep a redacted example of a mismatch)."""

    def record_candidate_error(self, route: str, *, primary_ms: float | None = None,
                               candidate_ms: float | None = None) -> None:
        """Count a candidate that failed to answer (timeout, refused, reset)."""

    def record_drops(self, route: str, *, overload: int = 0, too_large: int = 0) -> None:
        """Count shadow copies not made: queue full (overload) or body too large."""

    def summary(self, route: str | None = None, *, top: int = 5) -> list[RouteSummary]:
        """Per-route figures, sorted by route; only ``route`` when given."""

    def examples(self, route: str, *, limit: int = 20) -> list[StoredExample]:
        """Stored examples for ``route``, newest first."""

    def close(self) -> None:
        """Release the connection."""


class SqliteDiffStore:
    """Thread-safe (one lock per connection) and safe across processes (WAL, short writes)."""

    def __init__(self, path: str | Path, *, redact: RedactRules | None = None,
                 max_examples: int = DEFAULT_MAX_EXAMPLES,
                 max_example_bytes: int = DEFAULT_MAX_EXAMPLE_BYTES,
                 max_paths: int = DEFAULT_MAX_PATHS,
                 clock: Callable[[], float] = time.time) -> None:
        self._conn = connect(path)
        self._lock = threading.Lock()
        self._redact = redact or RedactRules()
        self._max_examples = max_examples
        self._max_example_bytes = max_example_bytes
        self._max_paths = max_paths
        self._clock = clock

    def record_comparison(self, route: str, comparison: Comparison, *,
                          primary_ms: float | None = None, candidate_ms: float | None = None,
                          candidate_error: bool = False,
                          example: ShadowExample | None = None) -> None:
        """Count one comparison; ``candidate_error`` when the candidate answered 5xx."""
        payload = None
        if example is not None and not comparison.match:
            # redaction happens here, inside the store, before any byte is written
            payload = prepare_example(example, self._redact, self._max_example_bytes)
        with self._lock, transaction(self._conn) as cur:
            self._bump(cur, route, compared=1, matched=int(comparison.match),
                       mismatched=int(not comparison.match), candidate_requests=1,
                       candidate_errors=int(candidate_error))
            for path in sorted({generalise(d.path) for d in comparison.differences}):
                self._count_path(cur, route, path)
            self._latency(cur, route, primary_ms, candidate_ms)
            if payload is not None:
                self._add_example(cur, route, payload)

    def record_candidate_error(self, route: str, *, primary_ms: float | None = None,
                               candidate_ms: float | None = None) -> None:
        with self._lock, transaction(self._conn) as cur:
            self._bump(cur, route, candidate_requests=1, candidate_errors=1)
            self._latency(cur, route, primary_ms, candidate_ms)

    def record_drops(self, route: str, *, overload: int = 0, too_large: int = 0) -> None:
        if overload or too_large:
            with self._lock, transaction(self._conn) as cur:
                self._bump(cur, route, dropped_overload=overload, dropped_too_large=too_large)

    def summary(self, route: str | None = None, *, top: int = 5) -> list[RouteSummary]:
        """One summary per route (sorted by name), or just ``route``'s."""
        where, args = ("WHERE route = ?", (route,)) if route is not None else ("", ())
        with self._lock:
            rows = self._conn.execute(
                "SELECT route, compared, matched, mismatched, dropped_overload, "
                "dropped_too_large, candidate_requests, candidate_errors FROM diff_counters "
                f"{where} ORDER BY route", args).fetchall()
            out = []
            for row in rows:
                name = row[0]
                paths = self._conn.execute(
                    "SELECT path, count FROM diff_paths WHERE route = ? "
                    "ORDER BY count DESC, path LIMIT ?", (name, top)).fetchall()
                hist = self._histograms(name)
                out.append(RouteSummary(
                    route=name, compared=row[1], matched=row[2], mismatched=row[3],
                    dropped_overload=row[4], dropped_too_large=row[5],
                    candidate_requests=row[6], candidate_errors=row[7],
                    primary_p99_ms=latency_hist.percentile(hist["primary"], 0.99),
                    candidate_p99_ms=latency_hist.percentile(hist["candidate"], 0.99),
                    top_paths=tuple((p, c) for p, c in paths)))
        return out

    def examples(self, route: str, *, limit: int = 20) -> list[StoredExample]:
        """Newest first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, created_at, payload FROM diff_examples WHERE route = ? "
                "ORDER BY id DESC LIMIT ?", (route, limit)).fetchall()
        return [StoredExample.from_payload(i, route, at, json.loads(p)) for i, at, p in rows]

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _histograms(self, route: str) -> dict[str, dict[int, int]]:
        hist: dict[str, dict[int, int]] = {"primary": {}, "candidate": {}}
        for side, bucket, count in self._conn.execute(
                "SELECT side, bucket, count FROM latency_buckets WHERE route = ?", (route,)):
            hist[side][bucket] = count
        return hist

    def _bump(self, cur: sqlite3.Cursor, route: str, **deltas: int) -> None:
        columns = sorted(deltas)
        updates = ", ".join(f"{c} = {c} + ?" for c in columns)
        cur.execute(
            f"INSERT INTO diff_counters (route, updated_at, {', '.join(columns)}) "
            f"VALUES (?, ?, {', '.join('?' for _ in columns)}) "
            f"ON CONFLICT (route) DO UPDATE SET updated_at = ?, {updates}",
            (route, self._clock(), *(deltas[c] for c in columns), self._clock(),
             *(deltas[c] for c in columns)))

    def _count_path(self, cur: sqlite3.Cursor, route: str, path: str) -> None:
        updated = cur.execute(
            "UPDATE diff_paths SET count = count + 1 WHERE route = ? AND path = ?",
            (route, path)).rowcount
        if updated:
            return
        (known,) = cur.execute(
            "SELECT COUNT(*) FROM diff_paths WHERE route = ?", (route,)).fetchone()
        if known < self._max_paths:  # bounded: a route of random paths cannot fill the disk
            cur.execute("INSERT INTO diff_paths (route, path, count) VALUES (?, ?, 1)",
                        (route, path))

    def _latency(self, cur: sqlite3.Cursor, route: str, primary_ms: float | None,
                 candidate_ms: float | None) -> None:
        for side, value in (("primary", primary_ms), ("candidate", candidate_ms)):
            if value is not None:
                cur.execute(
                    "INSERT INTO latency_buckets (route, side, bucket, count) VALUES (?, ?, ?, 1) "
                    "ON CONFLICT (route, side, bucket) DO UPDATE SET count = count + 1",
                    (route, side, latency_hist.bucket_of(value)))

    def _add_example(self, cur: sqlite3.Cursor, route: str, payload: dict[str, object]) -> None:
        cur.execute(
            "INSERT INTO diff_examples (route, created_at, signature, payload) VALUES (?, ?, ?, ?)",
            (route, self._clock(), payload["signature"], json.dumps(payload, ensure_ascii=False)))
        (count,) = cur.execute(
            "SELECT COUNT(*) FROM diff_examples WHERE route = ?", (route,)).fetchone()
        for _ in range(count - self._max_examples):
            # evict the oldest example of the most repeated kind: variety is what helps
            (signature,) = cur.execute(
                "SELECT signature FROM diff_examples WHERE route = ? GROUP BY signature "
                "ORDER BY COUNT(*) DESC, MIN(id) ASC LIMIT 1", (route,)).fetchone()
            cur.execute(
                "DELETE FROM diff_examples WHERE id = (SELECT MIN(id) FROM diff_examples "
                "WHERE route = ? AND signature = ?)", (route, signature))
