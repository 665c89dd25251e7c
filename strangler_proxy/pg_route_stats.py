"""Live request figures per route on PostgreSQL: every worker of every proxy adds its deltas.

The counterpart of :class:`~strangler_proxy.route_stats.SqliteRouteStats`: each worker
flushes its in-memory counts about once a second in one transaction of atomic
``INSERT ... ON CONFLICT DO UPDATE SET n = route_stats.n + excluded.n``; any proxy's admin
API reads the totals of all of them.
"""

from __future__ import annotations

from strangler_proxy.pg_schema import PgConnection
from strangler_proxy.route_stats import RouteStats

_FIELDS = ("requests", "service_requests", "monolith_errors", "service_errors")


class PostgresRouteStats:
    def __init__(self, db: str | PgConnection) -> None:
        self._db = PgConnection.share(db)

    def add(self, deltas: dict[str, RouteStats]) -> None:
        if not deltas:
            return
        columns = ", ".join(_FIELDS)
        updates = ", ".join(f"{f} = route_stats.{f} + excluded.{f}" for f in _FIELDS)
        with self._db.transaction() as cur:
            # sorted: two workers flushing the same routes lock the rows in the same order
            for route, s in sorted(deltas.items()):
                cur.execute(
                    f"INSERT INTO route_stats (route, {columns}) VALUES (%s, %s, %s, %s, %s) "
                    f"ON CONFLICT (route) DO UPDATE SET {updates}",
                    (route, s.requests, s.service_requests, s.monolith_errors, s.service_errors))

    def read(self) -> dict[str, RouteStats]:
        with self._db.cursor() as cur:
            rows = cur.execute(f"SELECT route, {', '.join(_FIELDS)} FROM route_stats").fetchall()
        return {route: RouteStats(*values) for route, *values in rows}

    def close(self) -> None:
        self._db.close()
