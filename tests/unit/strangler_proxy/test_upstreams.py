"""Pools across reloads: kept when unchanged, retired (closed after draining) otherwise."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from strangler_proxy.routes import UpstreamSpec
from strangler_proxy.upstreams import UpstreamSet


class RecordingPool:
    """Stands in for the connection pool (the transport seam): records its closing."""

    def __init__(self, spec: UpstreamSpec) -> None:
        self.spec = spec
        self.closed = False

    async def aclose(self) -> None:
        self.closed = True

    def stats(self) -> dict[str, int]:
        return {"open": 0}


SPECS = {"monolith": UpstreamSpec(name="monolith", url="http://127.0.0.1:8000"),
         "catalog": UpstreamSpec(name="catalog", url="http://127.0.0.1:8001")}


def test_successor_keeps_unchanged_pools_and_retires_the_rest() -> None:
    old = UpstreamSet.build(SPECS, RecordingPool)
    changed = {"monolith": replace(SPECS["monolith"], retries=3),  # not a pool setting
               "orders": UpstreamSpec(name="orders", url="http://127.0.0.1:8002")}
    new, retired = old.successor(changed, RecordingPool)
    assert new["monolith"] is old["monolith"]
    assert new["monolith"].spec.retries == 3
    assert [u.name for u in retired] == ["catalog"]
    moved = {"monolith": replace(SPECS["monolith"], url="http://127.0.0.1:9000")}
    newer, retired = new.successor(moved, RecordingPool)
    assert newer["monolith"] is not new["monolith"]
    assert {u.name for u in retired} == {"monolith", "orders"}


def test_retired_upstream_closes_after_its_last_request() -> None:
    async def scenario() -> tuple[bool, bool]:
        upstreams = UpstreamSet.build(SPECS, RecordingPool)
        catalog = upstreams["catalog"]
        catalog.acquire()
        closing = asyncio.create_task(catalog.close(drain=5))
        await asyncio.sleep(0.05)
        closed_while_busy = catalog.pool.closed
        catalog.release()
        await closing
        return closed_while_busy, catalog.pool.closed

    assert asyncio.run(scenario()) == (False, True)
