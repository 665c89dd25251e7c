"""Forward one request: attempts (retries, fallback), breaker bookkeeping, streaming both ways.

The upstream client's errors become HTTP errors in exactly one place, ``map_upstream_error``:
connect failures and resets -> 502, timeouts -> 504; an open circuit -> 503.

Retry policy: another attempt is made only for idempotent methods, only when the client's
error says no byte reached the upstream (``request_sent`` False) and only while the body can
be replayed. ``fallback = true`` appends one attempt on the default upstream (the monolith)
with the un-rewritten path. When a circuit is open no attempt is made at all, so any method
may fall back.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from strangler_proxy.errors import (
    BadGateway,
    ClientGone,
    GatewayTimeout,
    UpstreamBodyAborted,
    UpstreamFailed,
    UpstreamUnavailable,
)
from strangler_proxy.headers import PreparedRequest, response_headers
from strangler_proxy.http1 import errors as client_errors
from strangler_proxy.limits import RequestBody
from strangler_proxy.metrics import Metrics
from strangler_proxy.routes import Decision
from strangler_proxy.upstreams import Upstream, UpstreamSet

__all__ = ["IDEMPOTENT", "Outcome", "forward", "map_upstream_error"]

Send = Callable[[dict[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[dict[str, Any]]]
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
# Responses longer than this (or of unknown length) get a watcher that notices a client
# that went away, so a 1 GB download to nobody is not read to the end.
_WATCH_DISCONNECT_OVER = 1 << 20


@dataclass(slots=True)
class Outcome:
    """Filled in as forwarding goes: the app reads it for the log, metrics and error replies."""

    upstream: str
    status: int = 0
    started: bool = False  # response headers went to the client: no error reply possible


def map_upstream_error(exc: client_errors.UpstreamError) -> tuple[UpstreamFailed, str]:
    """The one translation of the client's errors: (HTTP error, metric kind)."""
    if isinstance(exc, client_errors.UpstreamTimeout):
        kind = type(exc).__name__.removesuffix("Timeout").lower() + "_timeout"
        return GatewayTimeout(f"upstream timed out ({kind.replace('_', ' ')})"), kind
    if isinstance(exc, client_errors.ConnectError):
        return BadGateway("could not connect to the upstream"), "connect"
    if isinstance(exc, client_errors.ProtocolError):
        return BadGateway("the upstream sent an invalid response"), "protocol"
    return BadGateway("the upstream connection failed"), "reset"


async def forward(*, upstreams: UpstreamSet, decision: Decision, path: str, method: str,
                  query: bytes, prepared: PreparedRequest, body: bytes | RequestBody | None,
                  preserve_host: bool, metrics: Metrics, receive: Receive, send: Send,
                  outcome: Outcome) -> None:
    """Send the request, stream the response to ``send``; raise ``UpstreamFailed`` when no
    attempt produced a response (the caller answers with the error)."""
    route = decision.route_name
    attempts = [(decision.primary, decision.forward_path)]
    primary_spec = upstreams[decision.primary].spec
    if method in IDEMPOTENT:
        attempts += [(decision.primary, decision.forward_path)] * max(primary_spec.retries, 0)
    if decision.fallback is not None:
        attempts.append((decision.fallback, path))
    target_tail = b"?" + query if query else b""
    content_length = prepared.content_length if prepared.content_length is not None else (
        len(body) if isinstance(body, bytes) else None)
    last: UpstreamFailed | None = None
    tried = ""
    for index, (name, target_path) in enumerate(attempts):
        upstream = upstreams[name]
        outcome.upstream = name
        if index and name == tried and last is not None and isinstance(last, UpstreamUnavailable):
            continue  # the same open circuit would refuse again; go on to the fallback
        tried = name
        if not upstream.breaker.allow():
            metrics.error(route, name, "circuit_open")
            last = UpstreamUnavailable(f"upstream {name} is unavailable (circuit open)")
            continue
        upstream.acquire()
        try:
            headers = prepared.headers + [
                (b"host", prepared.host if (preserve_host and prepared.host)
                 else upstream.host_header)]
            try:
                response = await upstream.pool.request(
                    method.encode("ascii"), target_path.encode("ascii") + target_tail, headers,
                    body=body, content_length=content_length)
            except client_errors.UpstreamError as exc:
                upstream.breaker.record_failure()
                last, kind = map_upstream_error(exc)
                metrics.error(route, name, kind)
                replayable = body is None or isinstance(body, bytes) or body.replayable
                if exc.request_sent or not replayable or method not in IDEMPOTENT:
                    break
                continue
            except BaseException:
                # The client's body failed (too large, client gone): not the upstream's fault,
                # but a half-open probe must not stay outstanding.
                upstream.breaker.cancel_probe()
                raise
            upstream.breaker.record_success()
            outcome.upstream, outcome.status, outcome.started = name, response.status, True
            await _stream(response, upstream, prepared.request_id, receive, send,
                          body_done=body is None or isinstance(body, bytes) or body.complete)
            return
        finally:
            upstream.release()
    assert last is not None  # every path through the loop that does not return sets it
    raise last


async def _stream(response: Any, upstream: Upstream, request_id: str, receive: Receive,
                  send: Send, *, body_done: bool) -> None:
    headers = response_headers(response.headers, request_id)
    watcher: asyncio.Task[None] | None = None
    gone: asyncio.Event | None = None  # only long responses pay for a watcher
    try:
        await send({"type": "http.response.start", "status": response.status,
                    "headers": headers})
        if response.has_body:
            left = _content_length(headers)  # None: until the upstream says it is done
            if body_done and (left is None or left > _WATCH_DISCONNECT_OVER):
                gone = asyncio.Event()
                watcher = asyncio.get_running_loop().create_task(_watch(receive, gone))
            try:
                async for chunk in response.aiter_bytes():
                    if gone is not None and gone.is_set():
                        raise ClientGone("client went away during the response")
                    if left is not None:
                        left -= len(chunk)
                        if left <= 0:  # the last byte: one send ends the response
                            await send({"type": "http.response.body", "body": chunk,
                                        "more_body": False})
                            return
                    await send({"type": "http.response.body", "body": chunk,
                                "more_body": True})
            except client_errors.UpstreamError as exc:
                upstream.breaker.record_failure()
                raise UpstreamBodyAborted(f"upstream {upstream.name} failed mid-body: "
                                          f"{type(exc).__name__}") from exc
        await send({"type": "http.response.body", "body": b"", "more_body": False})
    finally:
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        await response.aclose()


def _content_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


async def _watch(receive: Receive, gone: asyncio.Event) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            gone.set()
            return

