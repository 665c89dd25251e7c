"""Optional active health checks: ``GET path`` every ``interval`` with httpx.

A 2xx/3xx answer closes the upstream's circuit at once, anything else (or no answer within
``timeout``) opens it; the passive breaker in ``forward`` feeds the same ``CircuitBreaker``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import httpx

from strangler_proxy.circuit import CircuitBreaker
from strangler_proxy.routes import UpstreamSpec

__all__ = ["HealthChecker"]

logger = logging.getLogger("strangler_proxy.health")


class HealthChecker:
    """Probes one upstream until stopped."""

    def __init__(self, spec: UpstreamSpec, breaker: CircuitBreaker) -> None:
        if spec.health_check is None:
            raise ValueError(f"upstream {spec.name} has no health_check")
        self.spec = spec
        self.check = spec.health_check
        self.breaker = breaker
        self.last_ok: bool | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(
            self._run(), name=f"health-check-{self.spec.name}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def probe(self, client: httpx.AsyncClient) -> bool:
        """One check; feeds the breaker and returns whether the upstream looked healthy."""
        url = self.spec.url + self.check.path
        try:
            response = await client.get(url, timeout=self.check.timeout)
            ok = response.status_code < 400
        except httpx.HTTPError as exc:
            logger.debug("health check %s failed: %r", url, exc)
            ok = False
        if ok:
            self.breaker.mark_healthy()
        else:
            self.breaker.mark_unhealthy()
        if ok != self.last_ok:
            logger.log(logging.INFO if ok else logging.WARNING,
                       "upstream %s is %s (health check %s)", self.spec.name,
                       "healthy" if ok else "unhealthy", url)
        self.last_ok = ok
        return ok

    async def _run(self) -> None:
        # No cookie jar worth keeping and no env proxies: only the upstream is ever called.
        async with httpx.AsyncClient(trust_env=False, follow_redirects=False) as client:
            while True:
                await self.probe(client)
                await asyncio.sleep(self.check.interval)
