"""The worker's link to the state store: off the loop, and alive through store failures."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from strangler_proxy.state_factory import open_state
from strangler_proxy.state_link import UNROUTED, StateLink


class FailsOnce:
    """Wraps a real store: the first call of ``method`` fails, as a PostgreSQL restart would
    make it; every call's thread is noted (the loop's thread must never do store I/O)."""

    def __init__(self, inner: Any, method: str) -> None:
        self.inner, self.method = inner, method
        self.calls = 0
        self.threads: set[int] = set()

    def __getattr__(self, name: str) -> Any:
        real = getattr(self.inner, name)
        if name != self.method:
            return real

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            self.threads.add(threading.get_ident())
            if self.calls == 1:
                raise sqlite3.OperationalError("database is locked")
            return real(*args, **kwargs)

        return call


async def _until(condition: Any, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition never became true"
        await asyncio.sleep(0.02)


def test_poller_and_flusher_survive_a_failing_store_and_lose_no_count(tmp_path: Path) -> None:
    opened = open_state(f"sqlite:///{tmp_path / 'state.db'}")
    stats = FailsOnce(opened.stats, "add")
    stages = FailsOnce(opened.stages, "version")
    stores = replace(opened, stats=stats, stages=stages)
    applied: list[dict[str, Any]] = []
    errors: list[tuple[str, int]] = []

    async def scenario() -> StateLink:
        link = StateLink(stores, apply=applied.append, base_table=lambda: None,  # type: ignore[arg-type,return-value]
                         poll_interval=0.02)
        link.poll_errors.on_error = link.flush_errors.on_error = \
            lambda what, n: errors.append((what, n))
        await link.start()
        for _ in range(3):
            link.count_unrouted(error=False)
        await _until(lambda: stats.calls >= 1)  # the first flush failed
        link.count_unrouted(error=True)
        await _until(lambda: stats.calls >= 2 and stages.calls >= 3)  # both loops went on
        await link.stop()
        return link

    link = asyncio.run(scenario())
    figures = opened.stats.read()[UNROUTED]
    assert (figures.requests, figures.monolith_errors) == (4, 1)  # the failed flush's 3 too
    assert applied == [{}]  # the first poll that worked read the (empty) overrides
    assert (link.poll_errors.count, link.flush_errors.count) == (1, 1)
    assert sorted(errors) == [("route_stats", 1), ("stages", 1)]
    main = threading.main_thread().ident
    assert main not in stats.threads and main not in stages.threads
    opened.close()
