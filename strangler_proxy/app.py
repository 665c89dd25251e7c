"""The ASGI application: composes limits, normalisation, routing, forwarding and observability.

::

    app = create_app("routes.toml")                  # watches the file, reloads on SIGHUP
    app = ProxyApp(table)                            # a table built in code, no file
    uvicorn.run(app, ...)                  # or: strangler proxy serve --config routes.toml

``/-/health`` (liveness), ``/-/ready`` (503 while the default upstream's circuit is open) and
``/-/metrics`` (Prometheus text) live under ``[proxy] internal_prefix``. Errors the proxy
answers for itself are JSON: ``{"error": "...", "request_id": "..."}``.

With a state store (``create_app`` opens the ``[state]`` store of the routes file), the app
also: polls stage overrides and swaps in the derived table (``stage_control``), counts
requests per route for the admin API and auto-rollback (``state_link``), shadows requests
whose decision names a shadow target (``shadowing``), and signs the caller's identity for
routes with ``identity = true`` (``identity_signer``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter
from typing import Any, TextIO

from strangler_proxy.access_log import AccessLog
from strangler_proxy.errors import (
    ClientGone,
    IdentityUnavailable,
    RequestError,
    TooManyConnections,
    UpstreamBodyAborted,
    UpstreamUnavailable,
    error_body,
)
from strangler_proxy.forward import Outcome, forward
from strangler_proxy.headers import Trust, prepare_request
from strangler_proxy.identity_signer import IdentitySigner, keyring_for
from strangler_proxy.limits import (
    HEAD_REFUSED_KEY,
    check_headers,
    check_host,
    check_refused_head,
    check_target,
    read_body,
)
from strangler_proxy.metrics import Metrics
from strangler_proxy.normalize import normalize_path
from strangler_proxy.relay import PREPARED_KEY, FastPath
from strangler_proxy.reload import Reloader
from strangler_proxy.routes import CanaryBucket, Decision, RouteTable
from strangler_proxy.routes_file import load_table
from strangler_proxy.shadowing import Shadower, StoreLocation
from strangler_proxy.stage_control import apply_overrides
from strangler_proxy.stages import StageSetting
from strangler_proxy.state import Stores, open_stores
from strangler_proxy.state_link import StateLink
from strangler_proxy.upstreams import PoolFactory, UpstreamSet, default_pool_factory

__all__ = ["CONFIG_ENV", "ProxyApp", "Runtime", "create_app", "create_app_from_env"]

CONFIG_ENV = "STRANGLER_PROXY_CONFIG"
logger = logging.getLogger("strangler_proxy.app")
Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
_JSON = [(b"content-type", b"application/json")]
# Old pools wait this long at most for their in-flight requests after a reload.
RETIRE_DRAIN_SECONDS = 120.0


@dataclass(frozen=True, slots=True)
class Runtime:
    """Everything a request needs from one table; replaced as a whole on reload."""

    table: RouteTable  # the effective table: the file's, with stage overrides applied
    upstreams: UpstreamSet
    trust: Trust


class ProxyApp:
    """The strangler proxy as a pure ASGI callable."""

    def __init__(self, table: RouteTable, *, config_path: str | Path | None = None,
                 pool_factory: PoolFactory = default_pool_factory,
                 canary: CanaryBucket | None = None, watch: bool = True,
                 access_stream: TextIO | None = None, stores: Stores | None = None) -> None:
        self.pool_factory = pool_factory
        self.canary = canary
        self.stores = stores  # None: no overrides, shadowing or live figures (a bare proxy)
        self.owns_stores = False  # create_app opened them: closed at shutdown
        self.link: StateLink | None = None
        self.shadower: Shadower | None = None
        self.signer: IdentitySigner | None = None
        self._overrides: dict[str, StageSetting] = {}
        self.metrics = Metrics()
        # access_stream: JSON lines written directly (serve uses stdout); else the logger.
        self.access_log = AccessLog(enabled=table.proxy.access_log, stream=access_stream)
        self._flusher: asyncio.Task[None] | None = None
        self._initial = table
        # ``[proxy] max_header_bytes`` of the table in use (0: none): the server protocol stops
        # reading a request head once its target or its headers pass it. An attribute, not a
        # property: the protocol reads it for every request.
        self.max_head_bytes: int = table.proxy.max_header_bytes
        # ``[proxy] max_client_connections``: the server answers a connection opened past it
        # with 503 (through this app) and closes it.
        self.max_client_connections: int = table.proxy.max_client_connections
        self.runtime: Runtime | None = None
        self.reloader = (Reloader(config_path, self.swap, on_result=self.metrics.reload,
                                  watch=watch and table.proxy.watch)
                         if config_path is not None else None)
        self._retiring: set[Any] = set()
        # Served by strangler_proxy.server's protocol, pass-through GETs skip ASGI (relay).
        self.fast_path = FastPath(self)

    @property
    def client_body_timeout(self) -> float:
        """``[proxy] client_body_timeout``: the server answers 408 (through this app) when no
        byte of a request body came for that long."""
        table = self.runtime.table if self.runtime is not None else self._initial
        return table.proxy.client_body_timeout

    @property
    def client_send_timeout(self) -> float:
        """``[proxy] client_send_timeout``: the server cuts a client that reads nothing of
        its response for that long (its upstream connection is let go)."""
        table = self.runtime.table if self.runtime is not None else self._initial
        return table.proxy.client_send_timeout

    # -- lifecycle -------------------------------------------------------------------------
    async def startup(self) -> None:
        if self.runtime is None:
            table = self._initial
            keyring = keyring_for(table)  # ConfigError before anything opens
            if keyring is not None:
                self.signer = IdentitySigner(table.upstreams[table.default].url, keyring)
                await self.signer.start()
            if self.stores is not None:
                self.link = StateLink(self.stores, apply=self.apply_overrides,
                                      base_table=lambda: self._initial)
                self._overrides = await asyncio.to_thread(self.link.load_now)
                self.shadower = Shadower(self.stores.diffs, table.state,
                                         location=StoreLocation.of(table))
                for errors in (self.link.poll_errors, self.link.flush_errors,
                               self.shadower.store_errors):
                    errors.on_error = self.metrics.state_error
                await self.shadower.start()
            self.runtime = Runtime(apply_overrides(table, self._overrides),
                                   UpstreamSet.build(table.upstreams, self.pool_factory),
                                   Trust(table.proxy.trusted_proxies))
            self.runtime.upstreams.start()
            if self.link is not None:
                await self.link.start()
        if self.reloader is not None:
            await self.reloader.start()
        if self.access_log.stream is not None and self._flusher is None:
            self._flusher = asyncio.get_running_loop().create_task(self._flush_access_log())

    async def _flush_access_log(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            self.access_log.flush()

    async def shutdown(self) -> None:
        if self._flusher is not None:
            self._flusher.cancel()
            self._flusher = None
            self.access_log.flush()
        if self.reloader is not None:
            await self.reloader.stop()
        if self.link is not None:
            await self.link.stop()
        if self.shadower is not None:
            await self.shadower.stop()
        if self.signer is not None:
            await self.signer.stop()
        if self.owns_stores and self.stores is not None:
            self.stores.close()
            self.stores = None
        if self.runtime is not None:
            await self.runtime.upstreams.aclose(drain=5.0)
            self.runtime = None
        for task in list(self._retiring):
            task.cancel()

    def apply_overrides(self, overrides: dict[str, StageSetting]) -> None:
        """New stage overrides: swap in the derived table in one assignment."""
        self._overrides = overrides
        current = self.runtime
        if current is not None:
            self.runtime = Runtime(apply_overrides(self._initial, overrides), current.upstreams,
                                   current.trust)

    def swap(self, table: RouteTable) -> None:
        """Install a validated table in one assignment; retire the upstreams it dropped."""
        current = self.runtime
        self._initial = table  # the file's table: overrides are applied on top of it
        self.max_head_bytes = table.proxy.max_header_bytes
        self.max_client_connections = table.proxy.max_client_connections
        if current is None:
            return
        upstreams, retired = current.upstreams.successor(table.upstreams, self.pool_factory)
        upstreams.start()
        self.runtime = Runtime(apply_overrides(table, self._overrides), upstreams,
                               Trust(table.proxy.trusted_proxies))
        self.access_log.enabled = table.proxy.access_log
        for upstream in retired:
            task = asyncio.get_running_loop().create_task(
                upstream.close(drain=RETIRE_DRAIN_SECONDS))
            self._retiring.add(task)
            task.add_done_callback(self._retiring.discard)

    # -- ASGI ------------------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)
        elif kind == "websocket":
            await send({"type": "websocket.close", "code": 1003})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.startup()
                except Exception as exc:  # report to the server, which exits
                    await send({"type": "lifespan.startup.failed", "message": repr(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = perf_counter()
        if self.runtime is None:  # served without lifespan: open lazily
            await self.startup()
        runtime = self.runtime  # this request keeps this table, whatever reloads happen
        assert runtime is not None
        settings = runtime.table.proxy
        method: str = scope["method"]
        client = scope.get("client")
        peer = client[0] if client else ""
        prepared = scope.get(PREPARED_KEY) or prepare_request(
            scope["headers"], peer=peer, scheme=scope.get("scheme", "http"), trust=runtime.trust)
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode("utf-8")
        query: bytes = scope.get("query_string", b"")
        route, path, error = "-", "", None
        decision: Decision | None = None
        outcome = Outcome(upstream="-")
        try:
            check_refused_head(scope.get(HEAD_REFUSED_KEY), settings.max_header_bytes,
                               settings.max_client_connections)
            check_headers(prepared.header_bytes, settings.max_header_bytes)
            check_host(prepared.hosts, scope.get("http_version", "1.1"))
            check_target(method, raw_path)
            path = normalize_path(raw_path)
            if path.startswith(settings.internal_prefix):
                await self._internal(path[len(settings.internal_prefix):], runtime, send)
                return
            decision = runtime.table.decide(method, prepared.host.decode("latin-1"), path,
                                            prepared, peer, canary=self.canary)
            route, outcome.upstream = decision.route_name, decision.primary
            body = await read_body(receive, content_length=prepared.content_length,
                                   chunked=prepared.chunked, limit=settings.max_body_bytes)
            reply = send
            matched = decision.route
            if matched is not None and (decision.shadow is not None or matched.identity):
                reply, body = await self._extras(runtime.table, decision, method, path, query,
                                                 prepared, body, send)
            await forward(upstreams=runtime.upstreams, decision=decision, path=path,
                          method=method, query=query, prepared=prepared, body=body,
                          preserve_host=settings.preserve_host, metrics=self.metrics,
                          receive=receive, send=reply, outcome=outcome)
        except RequestError as exc:
            error = exc.detail
            if outcome.started:
                raise
            outcome.status = exc.status
            await _error_response(send, exc, prepared.request_id)
        except ClientGone as exc:
            error, outcome.status = str(exc), 499
        except UpstreamBodyAborted as exc:
            error = str(exc)
            raise  # the server cuts the connection: the client must not see a short body
        finally:
            if outcome.status or error:
                self.record_request(
                    runtime=runtime, decision=decision, upstream=outcome.upstream,
                    status=outcome.status or 500, duration=perf_counter() - started,
                    request_id=prepared.request_id, method=method, path=path or "-",
                    query=query, peer=peer, error=error, route=route)

    def record_request(self, *, runtime: Runtime, decision: Decision | None, upstream: str,
                       status: int, duration: float, request_id: str, method: str, path: str,
                       query: bytes, peer: str, error: str | None, route: str = "") -> None:
        """One finished request, on either path: metrics, live figures, the access line."""
        route = route or (decision.route_name if decision is not None else "-")
        self.metrics.observe(route, upstream, status, duration)
        if self.link is not None and decision is not None:
            failed = status >= 500 or upstream != decision.primary
            if decision.route is None:
                self.link.count_unrouted(error=failed)
            else:
                asked_service = decision.primary == decision.route.upstream != \
                    runtime.table.default
                self.link.count(decision.route, service=asked_service, error=failed)
        # positional: ten keywords cost as much as a tenth of the access line
        self.access_log.record(request_id, method, path, query, route, upstream, status,
                               duration, peer, error)

    async def _extras(self, table: RouteTable, decision: Decision, method: str, path: str,
                      query: bytes, prepared: Any, body: Any, send: Send) -> tuple[Send, Any]:
        """Identity for the service and the shadow tap: only routes that ask pay for them."""
        route = decision.route
        assert route is not None
        service_copy: tuple[tuple[str, str], ...] = ()
        if route.identity and self.signer is not None and route.upstream in (
                decision.primary, decision.shadow):
            try:
                found = await self.signer.header(prepared.headers)
            except IdentityUnavailable as exc:
                raise UpstreamUnavailable(str(exc)) from None
            if found is not None:
                if decision.primary == route.upstream:
                    prepared.headers.append(found)
                else:
                    service_copy = ((found[0].decode("latin-1"), found[1].decode("latin-1")),)
        if decision.shadow is not None and self.shadower is not None:
            return self.shadower.wrap(table, decision, method=method, path=path, query=query,
                                      prepared=prepared, body=body, send=send,
                                      extra_headers=service_copy)
        return send, body

    async def _internal(self, name: str, runtime: Runtime, send: Send) -> None:
        upstreams = list(runtime.upstreams.values())
        if name == "health":
            status, body, ctype = 200, b'{"status":"ok"}', b"application/json"
        elif name == "ready":
            states = {u.name: {"circuit": u.breaker.state, "in_flight": u.in_flight}
                      for u in upstreams}
            ready = runtime.upstreams[runtime.table.default].breaker.state != "open"
            status = 200 if ready else 503
            body = json.dumps({"ready": ready, "default": runtime.table.default,
                               "upstreams": states}).encode()
            ctype = b"application/json"
        elif name == "metrics":
            status, ctype = 200, b"text/plain; version=0.0.4; charset=utf-8"
            body = self.metrics.render(upstreams).encode()
        else:
            status, body, ctype = 404, b'{"error":"unknown internal endpoint"}', b"application/json"
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", ctype), (b"cache-control", b"no-store"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


async def _error_response(send: Send, exc: RequestError, request_id: str) -> None:
    body = error_body(exc, request_id)
    headers = [*_JSON, (b"content-length", str(len(body)).encode()),
               (b"x-request-id", request_id.encode("ascii"))]
    if exc.status in (400, 405, 408, 413, 414, 431):
        headers.append((b"connection", b"close"))  # the rest of the request may be unread
    elif isinstance(exc, TooManyConnections):  # the server closes it: one slot comes free
        headers += [(b"connection", b"close"), (b"retry-after", b"1")]
    await send({"type": "http.response.start", "status": exc.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def create_app(config_path: str | Path, *, watch: bool = True,
               canary: CanaryBucket | None = None,
               access_stream: TextIO | None = None, state: bool = True) -> ProxyApp:
    """The proxy for a routes file, reloading it on change and on SIGHUP.

    ``state`` opens the file's ``[state]`` store (stage overrides, diffs, live figures).
    """
    table = load_table(config_path)
    stores = open_stores(table) if state else None
    app = ProxyApp(table, config_path=config_path, watch=watch, canary=canary,
                   access_stream=access_stream, stores=stores)
    app.owns_stores = stores is not None
    return app


def create_app_from_env(access_stream: TextIO | None = None) -> ProxyApp:
    """Factory for ``uvicorn --factory`` and workers; the path is in ``$STRANGLER_PROXY_CONFIG``."""
    path = os.environ.get(CONFIG_ENV)
    if not path:
        raise RuntimeError(f"set {CONFIG_ENV} to the routes file")
    return create_app(path, access_stream=access_stream)
