"""Persisted stage overrides with an audit log, shared by every worker.

``route set`` / ``promote`` / ``rollback`` write here; each worker polls :meth:`version`
(one tiny row read) about every half second and reloads :meth:`current_overrides` only
when it moved, so a rollback reaches every worker within a second. An override wins over
the stage written in the routes file until it is changed again; a restart keeps it.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from strangler_proxy.stages import Stage, StageSetting, setting
from strangler_proxy.state_schema import connect, transaction

POLL_INTERVAL_S = 0.5


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    route: str
    at: float
    actor: str
    before: StageSetting | None
    after: StageSetting
    reason: str


@dataclass(frozen=True, slots=True)
class StageChange:
    route: str
    before: StageSetting | None
    after: StageSetting
    version: int
    applied: bool  # False when ``expect_version`` did not hold (someone changed it first)


class StageStore(Protocol):
    def version(self) -> int:
        """A number that grows with every stage change (cheap to poll)."""

    def current_overrides(self) -> dict[str, StageSetting]:
        """Every persisted override, by route name."""

    def set_stage(self, route: str, stage: str | Stage, percent: int | None = None, *,
                  actor: str, reason: str, reverse_shadow: bool = False,
                  base: StageSetting | None = None,
                  expect_version: int | None = None) -> StageChange:
        """Persist and audit a stage change."""

    def audit(self, route: str | None = None, *, limit: int = 50) -> list[AuditEntry]:
        """Audit entries, newest first."""

    def close(self) -> None:
        """Release the connection."""


class SqliteStageStore:
    def __init__(self, path: str | Path, *, clock: Callable[[], float] = time.time) -> None:
        self._conn = connect(path)
        self._lock = threading.Lock()
        self._clock = clock

    def version(self) -> int:
        with self._lock:
            (value,) = self._conn.execute("SELECT version FROM state_version WHERE id = 1"
                                          ).fetchone()
        return int(value)

    def current_overrides(self) -> dict[str, StageSetting]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT route, stage, percent, reverse_shadow FROM route_stages").fetchall()
        return {r: StageSetting(Stage(s), p, bool(rs)) for r, s, p, rs in rows}

    def set_stage(self, route: str, stage: str | Stage, percent: int | None = None, *,
                  actor: str, reason: str, reverse_shadow: bool = False,
                  base: StageSetting | None = None,
                  expect_version: int | None = None) -> StageChange:
        """Persist a new stage for ``route`` and audit it, in one transaction.

        ``base`` is the effective setting before the change when no override exists yet
        (the routes file's), so the audit's "from" is right. With ``expect_version`` the
        change applies only if nobody changed any stage since that version was read.
        ``ValueError`` for an invalid stage or percent (nothing is written).
        """
        after = setting(stage, percent, reverse_shadow)
        now = self._clock()
        with self._lock, transaction(self._conn) as cur:
            (version,) = cur.execute("SELECT version FROM state_version WHERE id = 1").fetchone()
            row = cur.execute("SELECT stage, percent, reverse_shadow FROM route_stages "
                              "WHERE route = ?", (route,)).fetchone()
            before = StageSetting(Stage(row[0]), row[1], bool(row[2])) if row else base
            if expect_version is not None and expect_version != version:
                return StageChange(route, before, after, version, applied=False)
            cur.execute(
                "INSERT INTO route_stages (route, stage, percent, reverse_shadow, updated_at, "
                "actor) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (route) DO UPDATE SET "
                "stage = excluded.stage, percent = excluded.percent, "
                "reverse_shadow = excluded.reverse_shadow, updated_at = excluded.updated_at, "
                "actor = excluded.actor",
                (route, after.stage.value, after.percent, int(after.reverse_shadow), now, actor))
            cur.execute(
                "INSERT INTO stage_audit (route, at, actor, from_stage, from_percent, to_stage, "
                "to_percent, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (route, now, actor, before and before.stage.value, before and before.percent,
                 after.stage.value, after.percent, reason))
            cur.execute("UPDATE state_version SET version = version + 1 WHERE id = 1")
        return StageChange(route, before, after, version + 1, applied=True)

    def audit(self, route: str | None = None, *, limit: int = 50) -> list[AuditEntry]:
        """Newest first."""
        where, args = ("WHERE route = ?", (route,)) if route else ("", ())
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, route, at, actor, from_stage, from_percent, to_stage, to_percent, "
                f"reason FROM stage_audit {where} ORDER BY id DESC LIMIT ?",
                (*args, limit)).fetchall()
        return [AuditEntry(i, r, at, actor,
                           StageSetting(Stage(fs), fp) if fs is not None else None,
                           StageSetting(Stage(ts), tp), reason)
                for i, r, at, actor, fs, fp, ts, tp, reason in rows]

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class StagePoller:
    """Per-worker view of the overrides, refreshed only when the version moves."""

    def __init__(self, store: StageStore) -> None:
        self._store = store
        self._version = -1
        self.overrides: dict[str, StageSetting] = {}

    def poll(self) -> dict[str, StageSetting] | None:
        """The new overrides if anything changed since the last poll, else ``None``."""
        version = self._store.version()
        if version == self._version:
            return None
        self.overrides = self._store.current_overrides()
        self._version = version
        return self.overrides

    async def run(self, apply: Callable[[dict[str, StageSetting]], None], *,
                  interval: float = POLL_INTERVAL_S) -> None:
        """Poll forever (cancel the task to stop); reads run in a thread, off the loop."""
        while True:
            changed = await asyncio.to_thread(self.poll)
            if changed is not None:
                apply(changed)
            await asyncio.sleep(interval)
