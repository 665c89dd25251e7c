"""A worker's link to the shared state: stage overrides in, live figures out.

- Every ``POLL_INTERVAL_S`` (0.5 s) the worker reads the stage store's version (one row)
  and, when it moved, the overrides; ``apply`` swaps in the derived table in one assignment.
- Request counts per route are kept in memory and flushed to ``route_stats`` every second.
- Auto-rollback: for canary routes with ``[routes.gates.auto_rollback]``, each worker keeps a
  sliding window of the service's answers; when ``gates.should_roll_back`` says so, the
  worker moves the route to ``monolith`` through the stage store with actor
  ``auto-rollback`` (audited), and every worker follows within a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Callable

from strangler_proxy.gates import ErrorWindow, should_roll_back
from strangler_proxy.route_stats import RouteCounters
from strangler_proxy.routes import Route, RouteTable
from strangler_proxy.stage_control import roll_back
from strangler_proxy.stage_store import POLL_INTERVAL_S, StagePoller
from strangler_proxy.stages import StageSetting
from strangler_proxy.state import Stores
from strangler_proxy.store_errors import StoreErrors

__all__ = ["FLUSH_INTERVAL_S", "UNROUTED", "StateLink"]

UNROUTED = "-"  # the route_stats key of requests no route matched

FLUSH_INTERVAL_S = 1.0
log = logging.getLogger("strangler_proxy.state")


class StateLink:
    def __init__(self, stores: Stores, *, apply: Callable[[dict[str, StageSetting]], None],
                 base_table: Callable[[], RouteTable],
                 poll_interval: float = POLL_INTERVAL_S) -> None:
        self.stores = stores
        self.poller = StagePoller(stores.stages)
        self.counters = RouteCounters()
        self._apply = apply
        self._base_table = base_table
        self._poll_interval = poll_interval
        self._windows: dict[str, ErrorWindow] = {}
        self._tasks: list[asyncio.Task[None]] = []
        # Both loops outlive a store that is away; the app points on_error at its metrics.
        self.poll_errors = StoreErrors("stages", "reading stage overrides (the current stages stay)",
                                       logger=log)
        self.flush_errors = StoreErrors("route_stats", "writing route figures", logger=log)

    def load_now(self) -> dict[str, StageSetting]:
        """Read the overrides synchronously (startup: the first table is already right)."""
        return self.poller.poll() or self.poller.overrides

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._poll_forever(), name="stage-poller"),
                       loop.create_task(self._flush_forever(), name="stats-flush")]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        try:
            await self._flush()
        except Exception as exc:
            self.flush_errors.report(exc)

    def count(self, route: Route, *, service: bool, error: bool) -> None:
        """One finished request of ``route``; ``service``: the service was asked."""
        self.counters.count(route.name, service=service, error=error)
        if service and route.stage == "canary" and route.policy.auto_rollback.enabled:
            window = self._windows.get(route.name)
            if window is None:
                window = self._windows[route.name] = ErrorWindow(
                    route.policy.auto_rollback.window_seconds)
            window.add(time.monotonic(), error)

    def count_unrouted(self, *, error: bool) -> None:
        """One finished request no route matched (the monolith answered)."""
        self.counters.count(UNROUTED, service=False, error=error)

    async def _poll_forever(self) -> None:
        while True:
            try:
                changed = await asyncio.to_thread(self.poller.poll)
                if changed is not None:
                    self._windows.clear()  # a new stage starts a new verdict
                    self._apply(changed)
            except Exception as exc:  # a locked or missing file must not stop the polling
                self.poll_errors.report(exc)  # the current stages stay
            await asyncio.sleep(self._poll_interval)

    async def _flush_forever(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_INTERVAL_S)
            try:
                await self._flush()
                await self._check_rollbacks()
            except Exception as exc:
                self.flush_errors.report(exc)

    async def _flush(self) -> None:
        """Write the counts so far in a thread; taken and restored on the loop, which is
        the only thread that counts."""
        if self.stores.stats is None:
            return
        deltas = self.counters.take()
        if not deltas:
            return
        try:
            await asyncio.to_thread(self.stores.stats.add, deltas)
        except Exception:
            self.counters.restore(deltas)  # added to the next flush: no count is lost
            raise

    async def _check_rollbacks(self) -> None:
        now = time.monotonic()
        table = self._base_table()
        for name, window in list(self._windows.items()):
            route = next((r for r in table.routes if r.name == name), None)
            if route is None:
                continue
            requests, errors = window.counts(now)
            verdict = should_roll_back(route.policy.auto_rollback, requests, errors)
            if verdict.rollback:
                self._windows.pop(name, None)
                log.warning("auto-rollback of route %s: %s", name, verdict.reason)
                await asyncio.to_thread(roll_back, table, self.stores.stages, name,
                                        actor="auto-rollback",
                                        reason=f"{verdict.reason} (worker {os.getpid()})")
