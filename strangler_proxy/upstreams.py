"""The upstreams of one route table: one pooled client and one circuit breaker each.

Pools open in ASGI lifespan startup (``UpstreamSet.open``) and close at shutdown, never per
request. A reload builds a new ``UpstreamSet`` from the new table with ``successor``: an
upstream whose pool settings are unchanged keeps its pool and breaker; one that was removed or
changed is *retired*: closed once its last in-flight request ends, so requests that started
on the old table finish on it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from strangler_proxy.circuit import CircuitBreaker
from strangler_proxy.health import HealthChecker
from strangler_proxy.http1 import ConnectionPool, Timeouts
from strangler_proxy.routes import UpstreamSpec

__all__ = ["PoolFactory", "Upstream", "UpstreamSet", "default_pool_factory"]

logger = logging.getLogger("strangler_proxy.upstreams")
PoolFactory = Callable[[UpstreamSpec], Any]


def default_pool_factory(spec: UpstreamSpec) -> ConnectionPool:
    """The production pool; tests may inject another factory (the transport seam)."""
    return ConnectionPool(
        spec.url,
        timeouts=Timeouts(connect=spec.connect_timeout, read=spec.read_timeout,
                          write=spec.write_timeout, pool=spec.pool_timeout),
        max_connections=spec.max_connections,
        max_idle_connections=spec.max_idle_connections,
        idle_timeout=spec.idle_timeout,
    )


class Upstream:
    """One upstream: its spec, pool, breaker and the count of requests using it."""

    def __init__(self, spec: UpstreamSpec, pool: Any) -> None:
        self.spec = spec
        self.name = spec.name
        self.pool = pool
        # The relay's way to an idle connection (None: a pool without one, e.g. in tests)
        self.take_idle: Callable[[], Any] | None = getattr(pool, "take_idle", None)
        self.breaker = CircuitBreaker(spec.circuit)
        self.host_header = urlsplit(spec.url).netloc.encode("ascii")
        self.in_flight = 0
        self.retired = False
        self.health: HealthChecker | None = None
        self._idle = asyncio.Event()
        self._idle.set()

    def acquire(self) -> None:
        self.in_flight += 1
        self._idle.clear()

    def release(self) -> None:
        self.in_flight -= 1
        if self.in_flight <= 0:
            self._idle.set()

    def start_health(self) -> None:
        if self.spec.health_check is not None and self.health is None:
            self.health = HealthChecker(self.spec, self.breaker)
            self.health.start()

    async def close(self, *, drain: float | None = None) -> None:
        """Stop health checks; wait (up to ``drain`` s) for in-flight requests; close the pool."""
        self.retired = True
        if self.health is not None:
            await self.health.stop()
            self.health = None
        if drain:
            try:
                await asyncio.wait_for(self._idle.wait(), timeout=drain)
            except TimeoutError:
                logger.warning("upstream %s: closing with %d requests in flight",
                               self.name, self.in_flight)
        await self.pool.aclose()


class UpstreamSet(Mapping[str, Upstream]):
    """Name -> ``Upstream`` for one route table."""

    def __init__(self, upstreams: dict[str, Upstream]) -> None:
        self._upstreams = upstreams

    @classmethod
    def build(cls, specs: Mapping[str, UpstreamSpec],
              factory: PoolFactory = default_pool_factory) -> UpstreamSet:
        return cls({name: Upstream(spec, factory(spec)) for name, spec in specs.items()})

    def successor(self, specs: Mapping[str, UpstreamSpec],
                  factory: PoolFactory = default_pool_factory,
                  ) -> tuple[UpstreamSet, list[Upstream]]:
        """The set for a new table, and the upstreams of this one it no longer uses."""
        kept: dict[str, Upstream] = {}
        for name, spec in specs.items():
            old = self._upstreams.get(name)
            if old is not None and old.spec.pool_key() == spec.pool_key() \
                    and old.spec.health_check == spec.health_check:
                old.spec = spec
                old.breaker.settings = spec.circuit
                kept[name] = old
            else:
                kept[name] = Upstream(spec, factory(spec))
        reused = {id(u) for u in kept.values()}
        retired = [u for u in self._upstreams.values() if id(u) not in reused]
        return UpstreamSet(kept), retired

    def start(self) -> None:
        """Start the active health checks (needs a running loop)."""
        for upstream in self._upstreams.values():
            upstream.start_health()

    async def aclose(self, *, drain: float | None = None) -> None:
        await asyncio.gather(*(u.close(drain=drain) for u in self._upstreams.values()))

    def __getitem__(self, name: str) -> Upstream:
        return self._upstreams[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._upstreams)

    def __len__(self) -> int:
        return len(self._upstreams)
