"""The diff store: per-route counters, differing paths, latency histograms, examples.

:class:`DiffStore` is the interface (:mod:`strangler_proxy.pg_diffstore` is the PostgreSQL
one); :class:`SqliteDiffStore` keeps everything in the shared state file. Writes come as a
:class:`~strangler_proxy.diff_batch.DiffBatch` written in one transaction (``record_batch``:
one upsert per route's counters, per path and per latency bucket, however many comparisons
it sums); the one-result calls are one-item batches. Examples are redacted by the store
itself before they are written, whatever the caller already did, and are capped in number
per route (the most repeated kind of difference is evicted first, the oldest of it) and in
size per example.
"""

from __future__ import annotations

import json
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from strangler_proxy import latency_hist
from strangler_proxy.compare.result import Comparison
from strangler_proxy.diff_batch import (
    COUNTERS,
    DiffBatch,
    RouteBatch,
    evictions,
    storable,
    storable_example,
)
from strangler_proxy.example import ShadowExample, StoredExample, prepare_example
from strangler_proxy.gates import GateFigures
from strangler_proxy.redact import RedactRules
from strangler_proxy.state_schema import connect, transaction

DEFAULT_MAX_EXAMPLES = 20
DEFAULT_MAX_EXAMPLE_BYTES = 16_384
DEFAULT_MAX_PATHS = 200
T = TypeVar("T")


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
    def new_batch(self) -> DiffBatch:
        """An empty batch with this store's example cap and path bound."""

    def record_batch(self, batch: DiffBatch) -> None:
        """Write the whole batch in one transaction (nothing of it when this raises)."""

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


class BatchedStore(ABC):
    """A diff store's one-result calls as one-item batches: every write takes one path."""

    def __init__(self, *, redact: RedactRules | None = None,
                 max_examples: int = DEFAULT_MAX_EXAMPLES,
                 max_example_bytes: int = DEFAULT_MAX_EXAMPLE_BYTES,
                 max_paths: int = DEFAULT_MAX_PATHS,
                 clock: Callable[[], float] = time.time) -> None:
        """What every backend shares: redaction rules, the caps, the clock of ``created_at``."""
        self._redact = redact or RedactRules()
        self._max_examples = max_examples
        self._max_example_bytes = max_example_bytes
        self._max_paths = max_paths
        self._clock = clock

    def new_batch(self) -> DiffBatch:
        return DiffBatch(max_examples=self._max_examples, max_paths=self._max_paths)

    @abstractmethod
    def record_batch(self, batch: DiffBatch) -> None:
        """Write the whole batch in one transaction (nothing of it when this raises)."""

    def record_comparison(self, route: str, comparison: Comparison, *,
                          primary_ms: float | None = None, candidate_ms: float | None = None,
                          candidate_error: bool = False,
                          example: ShadowExample | None = None) -> None:
        """Count one comparison; ``candidate_error`` when the candidate answered 5xx."""
        batch = self.new_batch()
        batch.comparison(route, comparison, primary_ms=primary_ms, candidate_ms=candidate_ms,
                         candidate_error=candidate_error, example=example)
        self.record_batch(batch)

    def record_candidate_error(self, route: str, *, primary_ms: float | None = None,
                               candidate_ms: float | None = None) -> None:
        batch = self.new_batch()
        batch.candidate_error(route, primary_ms=primary_ms, candidate_ms=candidate_ms)
        self.record_batch(batch)

    def record_drops(self, route: str, *, overload: int = 0, too_large: int = 0) -> None:
        batch = self.new_batch()
        batch.drops(route, overload=overload, too_large=too_large)
        self.record_batch(batch)  # zero drops make an empty batch: nothing is touched


def prepared_examples(batch: DiffBatch, redact: RedactRules,
                      max_bytes: int) -> dict[str, list[dict[str, Any]]]:
    """Each route's examples redacted, cut to size and made storable, oldest first."""
    # redaction happens here, inside the store, before any byte is written; text no store
    # can hold (NUL, lone surrogates) is replaced first, or it would fail the whole batch
    return {route: [storable(prepare_example(storable_example(p.example), redact, max_bytes))
                    for p in part.examples]
            for route, part in batch.routes() if part.examples}


def plan_examples(stored: Sequence[tuple[int, str]], new: Sequence[tuple[str, T]],
                  cap: int) -> tuple[list[T], list[int]]:
    """(new items to insert, stored ids to delete) for the ``new`` (signature, item), oldest
    first: what adding them one by one, evicting after each, would leave. Examples that
    would be evicted at once are never written."""
    keyed: dict[tuple[int, int], str] = {(0, id_): sig for id_, sig in stored}
    keyed.update({(1, i): sig for i, (sig, _) in enumerate(new)})
    gone = set(evictions(keyed, cap))
    return ([item for i, (_, item) in enumerate(new) if (1, i) not in gone],
            sorted(key[1] for key in gone if key[0] == 0))


def counter_values(part: RouteBatch) -> tuple[int, ...]:
    """The route's counter deltas in ``COUNTERS`` order."""
    return tuple(part.counters[c] for c in COUNTERS)


Rows = list[tuple[Any, ...]]


def upsert_rows(routes: Sequence[tuple[str, RouteBatch]], now: float,
                max_paths: int) -> tuple[Rows, Rows, Rows]:
    """The parameter rows of a batch's three upserts (counters, paths, latency buckets), in
    the placeholder order both stores' statements share."""
    bumps = [(route, now, *counter_values(part)) for route, part in routes]
    paths = [(route, path, n, route, path, route, max_paths)
             for route, part in routes for path, n in part.paths.items()]
    buckets = [(route, side, bucket, n)
               for route, part in routes for (side, bucket), n in part.latency.items()]
    return bumps, paths, buckets


_BUMP = (f"INSERT INTO diff_counters (route, updated_at, {', '.join(COUNTERS)}) "
         f"VALUES (?, ?, {', '.join('?' for _ in COUNTERS)}) "
         "ON CONFLICT (route) DO UPDATE SET updated_at = excluded.updated_at, "
         + ", ".join(f"{c} = {c} + excluded.{c}" for c in COUNTERS))
# a known path counts on; a new one is added only while the route is under its bound (a
# route of random paths cannot fill the disk); the WHERE also keeps SQLite's upsert parsable
_PATH = ("INSERT INTO diff_paths (route, path, count) SELECT ?, ?, ? "
         "WHERE EXISTS (SELECT 1 FROM diff_paths WHERE route = ? AND path = ?) "
         "OR (SELECT COUNT(*) FROM diff_paths WHERE route = ?) < ? "
         "ON CONFLICT (route, path) DO UPDATE SET count = count + excluded.count")
_LATENCY = ("INSERT INTO latency_buckets (route, side, bucket, count) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (route, side, bucket) DO UPDATE SET count = count + excluded.count")


class SqliteDiffStore(BatchedStore):
    """Thread-safe (one lock per connection) and safe across processes (WAL, short writes)."""

    def __init__(self, path: str | Path, **options: Any) -> None:
        """``options``: those of :class:`BatchedStore` (redact, the caps, clock)."""
        super().__init__(**options)
        self._conn = connect(path)
        self._lock = threading.Lock()

    def record_batch(self, batch: DiffBatch) -> None:
        """One ``BEGIN IMMEDIATE`` transaction for the whole batch; none for an empty one."""
        if not batch:
            return
        routes = batch.routes()
        examples = {route: [(p["signature"], json.dumps(p, ensure_ascii=False))
                            for p in payloads]
                    for route, payloads in prepared_examples(
                        batch, self._redact, self._max_example_bytes).items()}
        now = self._clock()
        bumps, paths, buckets = upsert_rows(routes, now, self._max_paths)
        with self._lock, transaction(self._conn) as cur:
            cur.executemany(_BUMP, bumps)
            if paths:  # a batch of matches or drops has none: no statement at all
                cur.executemany(_PATH, paths)
            if buckets:
                cur.executemany(_LATENCY, buckets)
            for route, new in examples.items():
                stored = cur.execute("SELECT id, signature FROM diff_examples WHERE route = ?",
                                     (route,)).fetchall()
                insert, delete = plan_examples(
                    stored, [(sig, (sig, text)) for sig, text in new], self._max_examples)
                # inserted before the evictions, so new ids stay above every id kept
                if insert:
                    cur.executemany(
                        "INSERT INTO diff_examples (route, created_at, signature, payload) "
                        "VALUES (?, ?, ?, ?)", [(route, now, sig, text) for sig, text in insert])
                if delete:
                    cur.executemany("DELETE FROM diff_examples WHERE id = ?",
                                    [(id_,) for id_ in delete])

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
