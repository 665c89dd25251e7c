"""Turn shadow messages into replayed, compared and recorded jobs.

The receiving end of the shadow channel, run by the shadow worker process in its own
event loop (``shadow_worker``), or in the proxy's loop when the diff store cannot be opened
from another process (``Shadower`` built without a store location). Messages are plain
tuples, so both ways share this code:

- ``("J", config_no, config | None, job)``: a job; ``config`` (a :class:`RouteShadowConfig`)
  is sent with the first job that uses it and remembered under ``config_no``; ``job`` is a
  :data:`Job` tuple, raw bytes as the proxy had them (decoding happens here, not there);
- ``("D", {route: (overload, too_large)})``: copies the proxy did not make, to count.

Jobs go to a :class:`~strangler_proxy.shadow_queue.ShadowQueue` (bounded, never waiting)
that asks the candidate through this runner's own HTTP/1.1 pools (never the primary's: no
shadow copy takes a connection a client request waits for; no cookie jar anywhere).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from strangler_proxy.body_tap import BoundedBodyTap
from strangler_proxy.compare.noise import NoiseModels
from strangler_proxy.compare.rules import CompareRules
from strangler_proxy.diffstore import DiffStore
from strangler_proxy.policies import ShadowPolicy
from strangler_proxy.redact import RedactRules
from strangler_proxy.routes import UpstreamSpec
from strangler_proxy.shadow_queue import SAFE_METHODS, ShadowJob, ShadowQueue
from strangler_proxy.shadow_sender import SHADOW_HEADER, SendFn
from strangler_proxy.snapshots import RequestSnapshot, ResponseSnapshot, headers_from_asgi
from strangler_proxy.upstreams import default_pool_factory

__all__ = ["CONFIG_LIMIT", "Job", "JobRunner", "RouteShadowConfig", "pool_sender"]

log = logging.getLogger(__name__)
SHADOW_MAX_CONNECTIONS = 32  # per upstream and worker: shadowing must not flood a service
# Configs a proxy keeps numbered before starting over; the runner keeps at least as many.
CONFIG_LIMIT = 256
RawHeaders = list[tuple[bytes, bytes]]
# (method, candidate target, primary target, request headers, extra candidate headers,
#  request body, primary status, primary headers, primary body, primary latency ms)
Job = tuple[str, str, str, RawHeaders, tuple[tuple[str, str], ...], bytes, int, RawHeaders,
            bytes, float]


@dataclass(frozen=True, slots=True)
class RouteShadowConfig:
    """What every job of one route, target and primary shares."""

    route: str
    shadow: ShadowPolicy
    compare: CompareRules
    redact: RedactRules
    candidate: UpstreamSpec
    primary: UpstreamSpec


class JobRunner:
    """Start it, feed it messages with :meth:`handle`, stop it (drains, then closes pools)."""

    def __init__(self, store: DiffStore, *, queue_size: int, workers: int,
                 draw: Callable[[], float] = random.random) -> None:
        self.noise = NoiseModels()
        self.queue = ShadowQueue(store=store, noise=self.noise, maxsize=queue_size,
                                 workers=workers)
        self._draw = draw
        self._configs: dict[int, RouteShadowConfig] = {}
        self._pools: dict[tuple[object, ...], Any] = {}
        self._senders: dict[tuple[tuple[object, ...], int], SendFn] = {}

    async def start(self) -> None:
        await self.queue.start()

    async def stop(self, *, drain_timeout: float) -> None:
        await self.queue.stop(drain_timeout=drain_timeout)
        for pool in self._pools.values():
            await pool.aclose()
        self._pools.clear()
        self._senders.clear()

    def handle(self, message: tuple[Any, ...]) -> bool:
        """One message from the proxy (see the module docstring); for a job, whether the
        queue took it (else it was dropped and counted)."""
        kind = message[0]
        if kind == "J":
            _, number, config, job = message
            if config is not None:
                self._remember(number, config)
            known = self._configs.get(number)
            if known is None:  # cannot happen with one ordered stream; never fatal
                log.warning("shadow job for unknown config %d dropped", number)
                return False
            return self._offer(known, job)
        elif kind == "D":
            for route, (overload, too_large) in message[1].items():
                self.queue.count_drops(route, overload=overload, too_large=too_large)
        else:
            log.warning("unknown shadow message %r ignored", kind)
        return True

    def _remember(self, number: int, config: RouteShadowConfig) -> None:
        self._configs[number] = config
        if len(self._configs) > 4 * CONFIG_LIMIT:  # the oldest are no longer referenced
            for old in list(self._configs)[:len(self._configs) - 2 * CONFIG_LIMIT]:
                del self._configs[old]

    def _offer(self, config: RouteShadowConfig, job: Job) -> bool:
        (method, candidate_target, primary_target, headers, extra, body, status,
         response_headers, response_body, latency_ms) = job
        policy = config.shadow
        plain = headers_from_asgi(headers)
        candidate = RequestSnapshot(method=method, path=candidate_target,
                                    headers=plain + extra, body=body)
        primary = ResponseSnapshot(status=status, headers=headers_from_asgi(response_headers),
                                   body=response_body, latency_ms=latency_ms)
        limit = policy.max_body_bytes
        send_primary = None
        if policy.learn_noise and method in SAFE_METHODS and \
                self._draw() < policy.noise_sample_rate:
            again = self._sender(config.primary, limit)
            asked = RequestSnapshot(method=method, path=primary_target, headers=plain, body=body)

            async def send_primary(_: RequestSnapshot) -> ResponseSnapshot:
                # the primary is asked at its own path, not the candidate's rewritten one
                return await again(asked)
        return self.queue.offer(ShadowJob(
            route=config.route, request=candidate, primary=primary, rules=config.compare,
            learn_noise=send_primary is not None,
            send_candidate=self._sender(config.candidate, limit), send_primary=send_primary,
            timeout=policy.timeout, redact=config.redact))

    def _sender(self, spec: UpstreamSpec, max_body: int) -> SendFn:
        key = (spec.pool_key(), max_body)
        sender = self._senders.get(key)
        if sender is None:
            pool = self._pools.get(spec.pool_key())
            if pool is None:
                pool = self._pools[spec.pool_key()] = default_pool_factory(replace(
                    spec, max_connections=min(spec.max_connections, SHADOW_MAX_CONNECTIONS)))
            sender = self._senders[key] = pool_sender(pool, max_body)
        return sender


def pool_sender(pool: Any, max_body: int) -> SendFn:
    """A ``SendFn`` over an HTTP/1.1 pool: marked copy out, bounded raw body back."""

    async def send(request: RequestSnapshot) -> ResponseSnapshot:
        headers = [(n.encode("latin-1"), v.encode("latin-1")) for n, v in request.headers]
        headers.append((SHADOW_HEADER.encode("ascii"), b"1"))
        started = time.perf_counter()
        response = await pool.request(request.method.encode("ascii"),
                                      request.path.encode("latin-1"), headers,
                                      body=request.body or None)
        tap = BoundedBodyTap(max_body)
        try:
            if response.has_body:
                async for chunk in response.aiter_bytes():
                    tap.feed(chunk)
                    if tap.overflowed:
                        break  # nothing compares a prefix: stop reading
        finally:
            await response.aclose()
        return ResponseSnapshot(status=response.status,
                                headers=headers_from_asgi(response.headers), body=tap.body,
                                truncated=tap.overflowed,
                                latency_ms=(time.perf_counter() - started) * 1000)

    return send
