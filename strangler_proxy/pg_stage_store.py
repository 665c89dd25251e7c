"""Stage overrides and their audit log on PostgreSQL, shared by proxies on several hosts.

Same behaviour as :class:`~strangler_proxy.stage_store.SqliteStageStore` (same tests):
:meth:`version` is one single-row read, cheap enough for every worker of every proxy to
poll it each half second through :class:`~strangler_proxy.stage_store.StagePoller`.
A change locks the version row first (``SELECT ... FOR UPDATE``), so concurrent changes
from any host are applied one after another and ``expect_version`` refuses a lost update.

Each change is also announced with ``NOTIFY strangler_stages`` (sent at commit). A worker
that wants it sooner than its next poll calls :meth:`PostgresStageStore.wait_for_change`
instead of sleeping between polls; that opens one more connection (``LISTEN``) per worker,
so it is only opened on first use, and polling stays the fallback when it fails.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import psycopg

from strangler_proxy.pg_schema import PgConnection, open_connection
from strangler_proxy.stage_store import AuditEntry, StageChange
from strangler_proxy.stages import Stage, StageSetting, setting

CHANNEL = "strangler_stages"


class PostgresStageStore:
    def __init__(self, db: str | PgConnection, *, clock: Callable[[], float] = time.time) -> None:
        self._db = PgConnection.share(db)
        self._clock = clock
        self._url = db if isinstance(db, str) else db.url
        self._listener: psycopg.Connection | None = None
        self._listen_lock = threading.Lock()

    def version(self) -> int:
        with self._db.cursor() as cur:
            row = cur.execute("SELECT version FROM state_version WHERE id = 1").fetchone()
        return int(row[0]) if row else 0

    def current_overrides(self) -> dict[str, StageSetting]:
        with self._db.cursor() as cur:
            rows = cur.execute(
                "SELECT route, stage, percent, reverse_shadow FROM route_stages").fetchall()
        return {r: StageSetting(Stage(s), p, bool(rs)) for r, s, p, rs in rows}

    def set_stage(self, route: str, stage: str | Stage, percent: int | None = None, *,
                  actor: str, reason: str, reverse_shadow: bool = False,
                  base: StageSetting | None = None,
                  expect_version: int | None = None) -> StageChange:
        """Persist a new stage for ``route`` and audit it, in one transaction.

        ``base`` is the effective setting before the change when no override exists yet;
        with ``expect_version`` the change applies only if no stage changed since that
        version was read. ``ValueError`` for an invalid stage or percent (nothing written).
        """
        after = setting(stage, percent, reverse_shadow)
        now = self._clock()
        with self._db.transaction() as cur:
            # the version row lock orders every change, whichever proxy makes it
            (version,) = cur.execute(
                "SELECT version FROM state_version WHERE id = 1 FOR UPDATE").fetchone() or (0,)
            row = cur.execute("SELECT stage, percent, reverse_shadow FROM route_stages "
                              "WHERE route = %s", (route,)).fetchone()
            before = StageSetting(Stage(row[0]), row[1], bool(row[2])) if row else base
            if expect_version is not None and expect_version != version:
                return StageChange(route, before, after, version, applied=False)
            cur.execute(
                "INSERT INTO route_stages (route, stage, percent, reverse_shadow, updated_at, "
                "actor) VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (route) DO UPDATE SET "
                "stage = excluded.stage, percent = excluded.percent, "
                "reverse_shadow = excluded.reverse_shadow, updated_at = excluded.updated_at, "
                "actor = excluded.actor",
                (route, after.stage.value, after.percent, after.reverse_shadow, now, actor))
            cur.execute(
                "INSERT INTO stage_audit (route, at, actor, from_stage, from_percent, to_stage, "
                "to_percent, reason) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                (route, now, actor, before and before.stage.value, before and before.percent,
                 after.stage.value, after.percent, reason))
            cur.execute("UPDATE state_version SET version = version + 1 WHERE id = 1")
            cur.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(version + 1)))
        return StageChange(route, before, after, version + 1, applied=True)

    def audit(self, route: str | None = None, *, limit: int = 50) -> list[AuditEntry]:
        """Newest first."""
        where, args = ("WHERE route = %s", (route,)) if route else ("", ())
        with self._db.cursor() as cur:
            rows = cur.execute(
                "SELECT id, route, at, actor, from_stage, from_percent, to_stage, to_percent, "
                f"reason FROM stage_audit {where} ORDER BY id DESC LIMIT %s",
                (*args, limit)).fetchall()
        return [AuditEntry(i, r, at, actor,
                           StageSetting(Stage(fs), fp) if fs is not None else None,
                           StageSetting(Stage(ts), tp), reason)
                for i, r, at, actor, fs, fp, ts, tp, reason in rows]

    def wait_for_change(self, timeout: float) -> bool:
        """Block up to ``timeout`` s for a stage change announced by any proxy.

        True when one was announced (read :meth:`version` next); False on timeout or when
        listening failed (the caller's regular poll covers it; the next call reconnects).
        """
        with self._listen_lock:
            try:
                if self._listener is None or self._listener.closed:
                    self._listener = open_connection(self._url)
                    self._listener.execute(f"LISTEN {CHANNEL}")
                for _ in self._listener.notifies(timeout=timeout, stop_after=1):
                    return True
            except psycopg.Error:
                if self._listener is not None:
                    self._listener.close()
                self._listener = None
                time.sleep(min(timeout, 0.5))  # do not spin against a database that is down
            return False

    def close(self) -> None:
        with self._listen_lock:
            if self._listener is not None:
                self._listener.close()
                self._listener = None
        self._db.close()
