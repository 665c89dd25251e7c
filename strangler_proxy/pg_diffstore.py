"""The diff store on PostgreSQL: what :class:`~strangler_proxy.diffstore.SqliteDiffStore`
does, for proxies on several hosts writing into one database.

Behaviour is the SQLite store's, checked by the same tests: a batch is one transaction,
examples are redacted by the store before they are written and capped in number (the most
repeated kind evicted first, its oldest) and size; differing paths are bounded per route.
Concurrency is PostgreSQL's: every write starts with an atomic ``INSERT ... ON CONFLICT DO
UPDATE SET n = n + excluded.n`` on the counters row of each of its routes, in route order
(two writers never wait for each other in a circle), and the row locks are held to commit,
so the path bound and the example cap of one route are checked by one writer at a time,
across processes and hosts, while other routes proceed in parallel. The statements of a
batch go out pipelined (``executemany``), so a batch costs a few round trips, not one per
path or bucket.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from strangler_proxy import latency_hist
from strangler_proxy.diff_batch import COUNTERS, DiffBatch
from strangler_proxy.diffstore import (
    BatchedStore,
    RouteSummary,
    plan_examples,
    prepared_examples,
    upsert_rows,
)
from strangler_proxy.example import StoredExample
from strangler_proxy.pg_schema import PgConnection

_COUNTERS = ("compared", "matched", "mismatched", "dropped_overload", "dropped_too_large",
             "candidate_requests", "candidate_errors")  # in RouteSummary's order
_BUMP = (f"INSERT INTO diff_counters (route, updated_at, {', '.join(COUNTERS)}) "
         f"VALUES (%s, %s, {', '.join('%s' for _ in COUNTERS)}) "
         "ON CONFLICT (route) DO UPDATE SET updated_at = excluded.updated_at, "
         + ", ".join(f"{c} = diff_counters.{c} + excluded.{c}" for c in COUNTERS))
# a known path counts on, a new one is added only while the route is under its bound (a
# route of random paths cannot fill the disk); the route's row lock makes the check exact
_PATH = ("INSERT INTO diff_paths (route, path, count) SELECT %s, %s, %s "
         "WHERE EXISTS (SELECT 1 FROM diff_paths WHERE route = %s AND path = %s) "
         "OR (SELECT COUNT(*) FROM diff_paths WHERE route = %s) < %s "
         "ON CONFLICT (route, path) DO UPDATE SET count = diff_paths.count + excluded.count")
_LATENCY = ("INSERT INTO latency_buckets (route, side, bucket, count) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (route, side, bucket) "
            "DO UPDATE SET count = latency_buckets.count + excluded.count")


class PostgresDiffStore(BatchedStore):
    """Thread-safe (one lock per connection) and safe across processes and hosts."""

    def __init__(self, db: str | PgConnection, **options: Any) -> None:
        """``options``: those of :class:`BatchedStore` (redact, the caps, clock)."""
        super().__init__(**options)
        self._db = PgConnection.share(db)

    def record_batch(self, batch: DiffBatch) -> None:
        """One transaction for the whole batch; none for an empty one."""
        if not batch:
            return
        routes = batch.routes()  # sorted: the counter rows are locked in route order
        # redaction happens here, inside the store, before any byte leaves the process
        examples = prepared_examples(batch, self._redact, self._max_example_bytes)
        now = self._clock()
        bumps, paths, buckets = upsert_rows(routes, now, self._max_paths)
        with self._db.transaction() as cur:
            cur.executemany(_BUMP, bumps)
            if paths:  # a batch of matches or drops has none: no statement at all
                cur.executemany(_PATH, paths)
            if buckets:
                cur.executemany(_LATENCY, buckets)
            for route, payloads in examples.items():
                stored = cur.execute("SELECT id, signature FROM diff_examples WHERE route = %s",
                                     (route,)).fetchall()
                insert, delete = plan_examples(
                    stored, [(p["signature"], p) for p in payloads], self._max_examples)
                if insert:
                    cur.executemany(
                        "INSERT INTO diff_examples (route, created_at, signature, payload) "
                        "VALUES (%s, %s, %s, %s)",
                        [(route, now, p["signature"], Jsonb(p)) for p in insert])
                if delete:
                    cur.execute("DELETE FROM diff_examples WHERE id = ANY(%s)", (delete,))

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
