"""The request-path half of shadowing: decide, tee the bodies, hand a job to the queue.

For a request whose ``Decision.shadow`` names a target (stage ``shadow``: the service;
stage ``service`` with ``reverse_shadow``: the monolith), :meth:`Shadower.wrap` checks the
route's shadow policy (method, body size, sample rate), tees a bounded copy of the request
body while it streams to the primary, and wraps ``send`` in a :class:`ResponseTap`. When the
primary's last byte has gone to the client, a :class:`ShadowJob` is offered to the queue,
which never waits: the candidate is asked later, by the queue's workers, with
``X-Strangler-Shadow: 1`` through the shadower's own connection pools (the proxy's lean
HTTP/1.1 client, not the primary's pools, so shadow copies never take a connection a
client request is waiting for; no cookie jar anywhere).
"""

from __future__ import annotations

import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from typing import Any

from strangler_proxy.body_tap import BoundedBodyTap, ResponseTap
from strangler_proxy.diffstore import DiffStore
from strangler_proxy.compare.noise import NoiseModels
from strangler_proxy.headers import PreparedRequest
from strangler_proxy.limits import RequestBody
from strangler_proxy.policies import StateOptions, should_shadow
from strangler_proxy.routes import Decision, Route, RouteTable, UpstreamSpec
from strangler_proxy.shadow_queue import ShadowJob, ShadowQueue
from strangler_proxy.shadow_sender import SHADOW_HEADER, SendFn
from strangler_proxy.snapshots import RequestSnapshot, ResponseSnapshot, headers_from_asgi
from strangler_proxy.upstreams import default_pool_factory

SHADOW_MAX_CONNECTIONS = 32  # per upstream and worker: shadowing must not flood a service

__all__ = ["Shadower", "TeeBody"]

Send = Callable[[dict[str, Any]], Awaitable[None]]


class TeeBody:
    """A streamed request body that keeps a bounded copy of what it passes on."""

    def __init__(self, inner: RequestBody, limit: int) -> None:
        self._inner = inner
        self.tap = BoundedBodyTap(limit)

    @property
    def replayable(self) -> bool:
        return self._inner.replayable

    @property
    def complete(self) -> bool:
        return self._inner.complete

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            self.tap.feed(chunk)
            yield chunk


class Shadower:
    """Owns the shadow queue and the shadow client; start/stop in the app's lifespan."""

    def __init__(self, diffs: DiffStore, options: StateOptions, *,
                 draw: Callable[[], float] = random.random) -> None:
        self.noise = NoiseModels()
        self.queue = ShadowQueue(store=diffs, noise=self.noise,
                                 maxsize=options.shadow_queue_size,
                                 workers=options.shadow_workers)
        self._draw = draw
        self._started = False
        self._pools: dict[tuple[object, ...], Any] = {}
        self._senders: dict[tuple[tuple[object, ...], int], SendFn] = {}

    async def start(self) -> None:
        await self.queue.start()
        self._started = True

    async def stop(self) -> None:
        self._started = False
        await self.queue.stop(drain_timeout=2.0)
        for pool in self._pools.values():
            await pool.aclose()
        self._pools.clear()
        self._senders.clear()

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

    def wrap(self, table: RouteTable, decision: Decision, *, method: str, path: str,
             query: bytes, prepared: PreparedRequest, body: bytes | RequestBody | None,
             send: Send, extra_headers: tuple[tuple[str, str], ...] = ()
             ) -> tuple[Send, bytes | RequestBody | TeeBody | None]:
        """``(send, body)`` to forward with: tapped when this request is shadowed."""
        route = decision.route
        target = decision.shadow
        if route is None or target is None or not self._started:
            return send, body
        policy = route.policy.shadow
        size = prepared.content_length if prepared.content_length is not None else (
            len(body) if isinstance(body, bytes) else None)
        verdict = should_shadow(policy, method, size, self._draw())
        if verdict == "too_large":
            self.queue.count_too_large(route.name)
        if verdict != "shadow":
            return send, body
        tee = TeeBody(body, policy.max_body_bytes) if isinstance(body, RequestBody) else None
        tail = "?" + query.decode("latin-1") if query else ""
        candidate_path = route.rewrite(path) if target == route.upstream else path
        headers = tuple((n.decode("latin-1"), v.decode("latin-1")) for n, v in prepared.headers)
        job_parts = _JobParts(self, table, route, target, decision, method,
                              candidate_path + tail, decision.forward_path + tail,
                              headers, extra_headers, body if isinstance(body, bytes) else None,
                              tee)
        tapped = ResponseTap(send, limit=policy.max_body_bytes, on_complete=job_parts.offer)
        return tapped, (tee if tee is not None else body)


class _JobParts:
    """What the job needs once the primary has answered (kept off the hot path until then)."""

    __slots__ = ("body", "candidate_headers", "candidate_path", "decision", "headers",
                 "method", "primary_path", "route", "shadower", "table", "target", "tee")

    def __init__(self, shadower: Shadower, table: RouteTable, route: Route, target: str,
                 decision: Decision, method: str, candidate_path: str, primary_path: str,
                 headers: tuple[tuple[str, str], ...],
                 candidate_headers: tuple[tuple[str, str], ...], body: bytes | None,
                 tee: TeeBody | None) -> None:
        self.shadower, self.table, self.route, self.target = shadower, table, route, target
        self.decision, self.method = decision, method
        self.candidate_path, self.primary_path = candidate_path, primary_path
        self.headers, self.candidate_headers = headers, candidate_headers
        self.body, self.tee = body, tee

    def offer(self, primary: ResponseSnapshot) -> None:
        route, policy = self.route, self.route.policy
        body = self.body or b""
        if self.tee is not None:
            if self.tee.tap.overflowed or not self.tee.complete:
                self.shadower.queue.count_too_large(route.name)
                return
            body = self.tee.tap.body
        if primary.truncated:
            self.shadower.queue.count_too_large(route.name)
            return
        limit = policy.shadow.max_body_bytes
        upstreams = self.table.upstreams
        candidate = RequestSnapshot(method=self.method, path=self.candidate_path,
                                    headers=self.headers + self.candidate_headers, body=body)
        learn = policy.shadow.learn_noise and self.shadower._draw() < \
            policy.shadow.noise_sample_rate
        send_primary = None
        if learn:
            again = self.shadower._sender(upstreams[self.decision.primary], limit)

            async def send_primary(_: RequestSnapshot) -> ResponseSnapshot:
                # the primary is asked at its own path, not the candidate's rewritten one
                return await again(RequestSnapshot(method=self.method, path=self.primary_path,
                                                   headers=self.headers, body=body))
        self.shadower.queue.offer(ShadowJob(
            route=route.name, request=candidate, primary=primary, rules=policy.compare,
            learn_noise=learn, send_candidate=self.shadower._sender(upstreams[self.target],
                                                                    limit),
            send_primary=send_primary, timeout=policy.shadow.timeout, redact=policy.redact))


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
