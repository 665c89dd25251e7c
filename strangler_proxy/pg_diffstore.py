"""The diff store on PostgreSQL: what :class:`~strangler_proxy.diffstore.SqliteDiffStore`
does, for proxies on several hosts writing into one database.

Behaviour is the SQLite store's, checked by the same tests: examples are redacted by the
store before they are written and capped in number (the most repeated kind evicted first,
its oldest) and size; differing paths are bounded per route. Concurrency is PostgreSQL's:
every write starts with an atomic ``INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n``
on the route's counters row, and the row lock it takes is held to commit, so the path bound
and the example cap of one route are checked by one writer at a time, across processes
and hosts, while other routes proceed in parallel.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import psycopg
from psycopg.types.json import Jsonb

from strangler_proxy import latency_hist
from strangler_proxy.compare.paths import generalise
from strangler_proxy.compare.result import Comparison
from strangler_proxy.diffstore import (
    DEFAULT_MAX_EXAMPLE_BYTES,
    DEFAULT_MAX_EXAMPLES,
    DEFAULT_MAX_PATHS,
    RouteSummary,
)
from strangler_proxy.example import ShadowExample, StoredExample, prepare_example
from strangler_proxy.pg_schema import PgConnection
from strangler_proxy.redact import RedactRules

_COUNTERS = ("compared", "matched", "mismatched", "dropped_overload", "dropped_too_large",
             "candidate_requests", "candidate_errors")


class PostgresDiffStore:
    """Thread-safe (one lock per connection) and safe across processes and hosts."""

    def __init__(self, db: str | PgConnection, *, redact: RedactRules | None = None,
                 max_examples: int = DEFAULT_MAX_EXAMPLES,
                 max_example_bytes: int = DEFAULT_MAX_EXAMPLE_BYTES,
                 max_paths: int = DEFAULT_MAX_PATHS,
                 clock: Callable[[], float] = time.time) -> None:
        self._db = PgConnection.share(db)
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
            # redaction happens here, inside the store, before any byte leaves the process
            payload = prepare_example(example, self._redact, self._max_example_bytes)
        with self._db.transaction() as cur:
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
        with self._db.transaction() as cur:
            self._bump(cur, route, candidate_requests=1, candidate_errors=1)
            self._latency(cur, route, primary_ms, candidate_ms)

    def record_drops(self, route: str, *, overload: int = 0, too_large: int = 0) -> None:
        if overload or too_large:
            with self._db.transaction() as cur:
                self._bump(cur, route, dropped_overload=overload, dropped_too_large=too_large)

    def summary(self, route: str | None = None, *, top: int = 5) -> list[RouteSummary]:
        """One summary per route (sorted by name), or just ``route``'s."""
        where, args = ("WHERE route = %s", (route,)) if route is not None else ("", ())
        # one read transaction, so counters, paths and histograms agree with each other
        with self._db.transaction() as cur:
            rows = cur.execute(
                f"SELECT route, {', '.join(_COUNTERS)} FROM diff_counters {where} "
                "ORDER BY route COLLATE \"C\"", args).fetchall()
            out = []
            for row in rows:
                name = row[0]
                paths = cur.execute(
                    "SELECT path, count FROM diff_paths WHERE route = %s "
                    "ORDER BY count DESC, path COLLATE \"C\" LIMIT %s", (name, top)).fetchall()
                hist = self._histograms(cur, name)
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
        with self._db.cursor() as cur:
            rows = cur.execute(
                "SELECT id, created_at, payload FROM diff_examples WHERE route = %s "
                "ORDER BY id DESC LIMIT %s", (route, limit)).fetchall()
        return [StoredExample.from_payload(i, route, at, payload) for i, at, payload in rows]

    def close(self) -> None:
        self._db.close()

    @staticmethod
    def _histograms(cur: psycopg.Cursor, route: str) -> dict[str, dict[int, int]]:
        hist: dict[str, dict[int, int]] = {"primary": {}, "candidate": {}}
        for side, bucket, count in cur.execute(
                "SELECT side, bucket, count FROM latency_buckets WHERE route = %s", (route,)):
            hist[side][bucket] = count
        return hist

    def _bump(self, cur: psycopg.Cursor, route: str, **deltas: int) -> None:
        # first statement of every write: its row lock serialises this route's writers
        columns = sorted(deltas)
        updates = ", ".join(f"{c} = diff_counters.{c} + excluded.{c}" for c in columns)
        cur.execute(
            f"INSERT INTO diff_counters (route, updated_at, {', '.join(columns)}) "
            f"VALUES (%s, %s, {', '.join('%s' for _ in columns)}) "
            f"ON CONFLICT (route) DO UPDATE SET updated_at = excluded.updated_at, {updates}",
            (route, self._clock(), *(deltas[c] for c in columns)))

    def _count_path(self, cur: psycopg.Cursor, route: str, path: str) -> None:
        # one round trip: count a known path, or add a new one while under the bound (a
        # route of random paths cannot fill the disk); the route's lock makes the check exact
        cur.execute(
            "INSERT INTO diff_paths (route, path, count) SELECT %s, %s, 1 "
            "WHERE EXISTS (SELECT 1 FROM diff_paths WHERE route = %s AND path = %s) "
            "OR (SELECT COUNT(*) FROM diff_paths WHERE route = %s) < %s "
            "ON CONFLICT (route, path) DO UPDATE SET count = diff_paths.count + 1",
            (route, path, route, path, route, self._max_paths))

    def _latency(self, cur: psycopg.Cursor, route: str, primary_ms: float | None,
                 candidate_ms: float | None) -> None:
        rows = [(route, side, latency_hist.bucket_of(value))
                for side, value in (("primary", primary_ms), ("candidate", candidate_ms))
                if value is not None]
        if rows:  # both sides in one statement: one round trip
            cur.execute(
                "INSERT INTO latency_buckets (route, side, bucket, count) VALUES "
                + ", ".join("(%s, %s, %s, 1)" for _ in rows)
                + " ON CONFLICT (route, side, bucket) "
                "DO UPDATE SET count = latency_buckets.count + 1",
                [value for row in rows for value in row])

    def _add_example(self, cur: psycopg.Cursor, route: str, payload: dict[str, object]) -> None:
        # the count runs on the snapshot from before the insert: hence the + 1
        (count,) = cur.execute(
            "WITH added AS (INSERT INTO diff_examples (route, created_at, signature, payload) "
            "VALUES (%s, %s, %s, %s) RETURNING id) "
            "SELECT COUNT(*) + 1 FROM diff_examples WHERE route = %s",
            (route, self._clock(), payload["signature"], Jsonb(payload), route)
        ).fetchone() or (0,)
        for _ in range(count - self._max_examples):
            # evict the oldest example of the most repeated kind: variety is what helps
            cur.execute(
                "DELETE FROM diff_examples WHERE id = (SELECT MIN(id) FROM diff_examples "
                "WHERE route = %s AND signature = (SELECT signature FROM diff_examples "
                "WHERE route = %s GROUP BY signature ORDER BY COUNT(*) DESC, MIN(id) ASC "
                "LIMIT 1))", (route, route))
