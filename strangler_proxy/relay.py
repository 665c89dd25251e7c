"""The pass-through fast path: a bodyless idempotent request relayed with callbacks, no task.

Most requests a strangler proxy sees are GETs on a route in stage ``monolith``, ``service``
or ``canary``. For those, :meth:`FastPath.start` (called by the server protocol as soon as
the request head is parsed) does what the ASGI path does (header hygiene, normalisation,
routing, the circuit check, the access line, metrics, live figures) but hands the request
to an idle pooled upstream connection directly and writes the upstream's response to the
client from the connection's parser callbacks: no coroutine, future or ASGI message per
request, and the response head and body leave in one write.

Anything else takes the ASGI path, unchanged: a request with a body, a shadowed or
identity route, an internal ``/-/`` path, a bad target, an open circuit, no idle connection
yet, a pipelined request. On failure before the client saw a byte, a request that never
reached the upstream goes on to the ASGI path (its retries and fallback apply); one that did
gets the 502/504 the ASGI path would give; after the first byte, the client connection is
cut so a short body cannot pass for a whole one.
"""

from __future__ import annotations

from time import perf_counter
from typing import TYPE_CHECKING, Any

from strangler_proxy.errors import RequestError, error_body
from strangler_proxy.forward import map_upstream_error
from strangler_proxy.headers import (
    PreparedRequest,
    prepare_request,
    response_header_lines,
    response_headers,
)
from strangler_proxy.http1.errors import LocalProtocolError, UpstreamError
from strangler_proxy.http1.wire import encode_bodyless_head
from strangler_proxy.limits import check_target
from strangler_proxy.normalize import normalize_path
from strangler_proxy.routes import Decision
from strangler_proxy.server.exchange import STATUS_LINES
from strangler_proxy.server.protocol import split_target

if TYPE_CHECKING:
    from strangler_proxy.app import ProxyApp, Runtime
    from strangler_proxy.http1.connection import Connection
    from strangler_proxy.upstreams import Upstream

__all__ = ["FastPath", "PREPARED_KEY", "Relay"]

# The ASGI path reuses the fast path's header work when a request falls through to it.
PREPARED_KEY = "strangler.prepared"
_FAST_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE"})  # idempotent, usually bodyless
_CHUNKED = b"transfer-encoding: chunked\r\n"
_CLOSE = b"connection: close\r\n"


class FastPath:
    """Decides per request whether the relay can serve it, and starts it."""

    def __init__(self, app: ProxyApp) -> None:
        self.app = app

    def start(self, protocol: Any, target: bytes, method: str, version: str,
              headers: list[tuple[bytes, bytes]], keep_alive: bool
              ) -> Relay | dict[str, Any] | None:
        """The request's head as the server protocol read it: a running relay, or it goes to
        the ASGI path, which gets what a dict returned here holds in its scope (the prepared
        headers, not prepared twice) or None."""
        app = self.app
        runtime = app.runtime
        if runtime is None or method not in _FAST_METHODS or not target.startswith(b"/"):
            return None  # not origin-form: the ASGI path refuses it
        table = runtime.table
        settings = table.proxy
        if not settings.fast_path:
            return None
        client = protocol.client
        peer = client[0] if client else ""
        prepared = prepare_request(headers, peer=peer, scheme=protocol.scheme,
                                   trust=runtime.trust)
        declined = {PREPARED_KEY: prepared}  # what the ASGI path reuses if it serves this
        if prepared.content_length or prepared.chunked or prepared.hosts != 1 \
                or prepared.header_bytes > settings.max_header_bytes:
            return declined  # the ASGI path reads the body, or answers the error
        raw_path, query = split_target(target)
        try:
            check_target(method, raw_path)
            path = normalize_path(raw_path)
        except RequestError:
            return declined  # the ASGI path answers with the error
        if path.startswith(settings.internal_prefix):
            return declined
        decision = table.decide(method, prepared.host.decode("latin-1"), path,
                                prepared, peer, canary=app.canary)
        route = decision.route
        if route is not None and route.identity:
            return declined  # the identity lookup is a coroutine: the ASGI path does it
        upstream = runtime.upstreams[decision.primary]
        take_idle = upstream.take_idle
        if take_idle is None or upstream.breaker.state != "closed":
            return declined
        try:
            head = encode_bodyless_head(
                method.encode("ascii"),
                decision.forward_path.encode("ascii") + b"?" + query if query
                else decision.forward_path.encode("ascii"),
                prepared.headers,
                prepared.host if settings.preserve_host and prepared.host
                else upstream.host_header)
        except (LocalProtocolError, UnicodeEncodeError):
            return declined
        relay = Relay(protocol, app, runtime, target, method, version, headers, query,
                      decision, upstream, prepared, path, keep_alive)
        for attempt in range(3):  # an idle connection the upstream just closed: try the next
            conn = take_idle()
            if conn is None:
                return declined
            if attempt == 0 and decision.shadow is not None and route is not None:
                shadower = app.shadower  # sampled once a connection is sure: no fall-through
                if shadower is not None and shadower.check(decision, method, 0):
                    relay.shadow_limit = route.policy.shadow.max_body_bytes
            upstream.acquire()
            if conn.start_relay(head, relay, head_request=method == "HEAD"):
                relay.conn = conn
                return relay
            upstream.release()
        return declined


class Relay:
    """One request on the fast path; to the server protocol it looks like an exchange."""

    __slots__ = (
        "app", "chunked", "conn", "decision", "disconnected", "head_request", "keep_alive",
        "out", "path", "paused", "prepared", "protocol", "response_complete",
        "response_started", "runtime", "shadow_body", "shadow_headers",
        "shadow_limit", "shadow_size", "started", "status", "upstream", "written",
        "target", "method", "version", "headers", "query",
    )

    def __init__(self, protocol: Any, app: ProxyApp, runtime: Runtime, target: bytes,
                 method: str, version: str, headers: list[tuple[bytes, bytes]], query: bytes,
                 decision: Decision, upstream: Upstream, prepared: PreparedRequest, path: str,
                 keep_alive: bool) -> None:
        self.started = perf_counter()
        self.protocol = protocol
        self.app = app
        self.runtime = runtime
        self.target = target  # the request as the client sent it, for the ASGI scope
        self.method = method
        self.version = version
        self.headers = headers
        self.query = query
        self.decision = decision
        self.upstream = upstream
        self.prepared = prepared
        self.path = path
        self.keep_alive = keep_alive
        self.head_request = method == "HEAD"
        self.conn: Connection | None = None
        self.out: list[bytes] = []
        self.chunked = False
        self.status = 0
        self.paused = False
        self.written = False  # a byte of the response reached the client's transport
        self.response_started = False
        self.response_complete = False
        self.disconnected = False
        # Shadowed routes keep a copy of the response for the shadow worker, up to a limit.
        self.shadow_limit = -1  # -1: not shadowed
        self.shadow_headers: list[tuple[bytes, bytes]] = []
        self.shadow_body: list[bytes] = []
        self.shadow_size = 0

    # -- the upstream connection's callbacks ----------------------------------------------
    def relay_head(self, status: int, reason: bytes, headers: list[tuple[bytes, bytes]],
                   has_body: bool) -> None:
        self.upstream.breaker.record_success()
        self.status = status
        self.response_started = True
        request_id = self.prepared.request_id
        lines, framed = response_header_lines(headers, request_id)
        if self.shadow_limit >= 0:
            self.shadow_headers = response_headers(headers, request_id)
        parts = [STATUS_LINES.get(status) or b"HTTP/1.1 %d \r\n" % status]
        defaults = self.protocol.default_headers
        if defaults:  # uvicorn's Server/Date, when turned on
            parts += [b"%s: %s\r\n" % header for header in defaults]
        parts.append(lines)
        if has_body and not framed:
            # not framed: chunked, or for HTTP/1.0 delimited by the close
            if self.version == "1.0":
                self.keep_alive = False  # no chunked coding in HTTP/1.0
            else:
                self.chunked = True
                parts.append(_CHUNKED)
        if not self.keep_alive:
            parts.append(_CLOSE)
        parts.append(b"\r\n")
        self.out.append(b"".join(parts))

    def relay_body(self, chunk: bytes) -> None:
        if self.shadow_limit >= 0:
            self._keep_for_shadow(chunk)
        if self.chunked:
            self.out += (b"%x\r\n" % len(chunk), chunk, b"\r\n")
        else:
            self.out.append(chunk)

    def relay_flush(self) -> None:
        out = self.out
        if not out or self.disconnected:
            out.clear()
            return
        self._write(out[0] if len(out) == 1 else b"".join(out))
        out.clear()
        if self.protocol.flow.write_paused and not self.paused and self.conn is not None:
            self.paused = True  # the client reads slower than the upstream sends
            self.conn.pause_reading()

    def relay_done(self) -> None:
        if self.chunked:
            self.out.append(b"0\r\n\r\n")
        self.relay_flush()
        self.upstream.release()
        self.response_complete = True
        transport = self.protocol.transport
        if not self.keep_alive:
            transport.close()
        self._account(self.status, None)
        if self.shadow_limit != -1:
            self._submit_shadow()
        self.protocol.exchange_done(self)

    def _keep_for_shadow(self, chunk: bytes) -> None:
        self.shadow_size += len(chunk)
        if self.shadow_size > self.shadow_limit:
            self.shadow_limit = -2  # too large: the shadower counts it, nothing is compared
            self.shadow_body.clear()
        else:
            self.shadow_body.append(chunk)

    def _submit_shadow(self) -> None:
        shadower = self.app.shadower
        if shadower is None:
            return
        shadower.submit(self.runtime.table, self.decision, method=self.method,
                        path=self.path, query=self.query,
                        request_headers=self.prepared.headers, request_body=b"",
                        status=self.status, response_headers=self.shadow_headers,
                        response_body=b"".join(self.shadow_body),
                        latency_ms=(perf_counter() - self.started) * 1000,
                        truncated=self.shadow_limit == -2)

    def relay_failed(self, exc: UpstreamError, conn: Connection) -> None:
        upstream = self.upstream
        upstream.release()
        if self.disconnected:
            return
        self.out.clear()
        if not self.written and conn.requests and conn.lost_before_response:
            # The upstream closed a kept-alive connection just as it was reused: nothing was
            # processed; the ASGI path sends it again on a fresh connection.
            self.protocol.fall_through(self)
            return
        upstream.breaker.record_failure()
        error, kind = map_upstream_error(exc)
        self.app.metrics.error(self.decision.route_name, upstream.name, kind)
        if self.written:
            self.response_complete = True
            self.protocol.transport.abort()  # a short body must not pass for a whole one
            self._account(self.status,
                          f"upstream {upstream.name} failed mid-body: {type(exc).__name__}")
            return
        if not exc.request_sent:
            self.protocol.fall_through(self)  # retries and fallback live on the ASGI path
            return
        body = error_body(error, self.prepared.request_id)
        self._write(b"%scontent-type: application/json\r\ncontent-length: %d\r\n"
                    b"x-request-id: %s\r\n%s\r\n%s"
                    % (STATUS_LINES[error.status], len(body),
                       self.prepared.request_id.encode("ascii"),
                       b"" if self.keep_alive else _CLOSE, body))
        self.response_complete = True
        if not self.keep_alive:
            self.protocol.transport.close()
        self._account(error.status, error.detail)
        self.protocol.exchange_done(self)

    # -- the client connection's callbacks -------------------------------------------------
    def client_gone(self) -> None:
        if self.response_complete or self.disconnected:
            return
        self.disconnected = True
        conn = self.conn
        if conn is not None:
            conn.abandon()  # mid-response: the upstream connection cannot be reused
        self.upstream.release()
        self._account(499, "client went away during the response")

    def writable(self) -> None:
        if self.paused and self.conn is not None:
            self.paused = False
            self.conn.resume_reading()

    # -- helpers --------------------------------------------------------------------------
    def asgi_scope(self) -> dict[str, Any]:
        """This request's ASGI scope, for the ASGI path to serve it after all (fall-through)."""
        scope = self.protocol.build_scope(self.target, self.version, self.method, self.headers)
        scope[PREPARED_KEY] = self.prepared
        return scope

    def _write(self, data: bytes) -> None:
        self.written = True
        self.protocol.transport.write(data)

    def _account(self, status: int, error: str | None) -> None:
        client = self.protocol.client
        self.app.metrics.relayed += 1
        self.app.record_request(
            runtime=self.runtime, decision=self.decision, upstream=self.upstream.name,
            status=status, duration=perf_counter() - self.started,
            request_id=self.prepared.request_id, method=self.method, path=self.path,
            query=self.query, peer=client[0] if client else "",
            error=error)
