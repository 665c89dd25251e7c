"""A measurement, not a proxy: ``minimal_relay.py`` plus the proxy's own per-request work.

The minimal relay's classes, extended to call the functions ``strangler_proxy.relay`` calls
per request: header hygiene with forwarding headers and a request id (``prepare_request``),
the target check and path normalisation, the route decision, the upstream head
(``encode_bodyless_head``), the client's response headers, the circuit breaker's success
count, the in-flight count and, unless ``--no-accounting``, the accounting: metrics and the
JSON access line (to a 64 KiB-buffered stream, as ``serve`` does). Set against
``minimal_relay.py`` and the real proxy in one A/B run, it splits the proxy's cost per
request into its architecture, its features and its own structure.
``python features_relay.py PORT UPSTREAM_PORT ROUTES_FILE [--no-accounting]`` (the routes file
names the upstream; ``benchmarks/proxy.py`` passes the one its proxy rows use).
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections import deque
from pathlib import Path
from time import perf_counter

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import minimal_relay  # noqa: E402  (this folder is the script's own: on sys.path)

from strangler_proxy.app import ProxyApp, Runtime, create_app  # noqa: E402
from strangler_proxy.headers import (  # noqa: E402
    PreparedRequest,
    prepare_request,
    response_header_lines,
)
from strangler_proxy.http1.wire import encode_bodyless_head  # noqa: E402
from strangler_proxy.limits import check_target  # noqa: E402
from strangler_proxy.normalize import normalize_path  # noqa: E402
from strangler_proxy.routes import Decision  # noqa: E402
from strangler_proxy.server.exchange import STATUS_LINES  # noqa: E402
from strangler_proxy.upstreams import Upstream  # noqa: E402


class UpstreamConnection(minimal_relay.UpstreamConnection):
    client: Client | None  # this module's Client

    def __init__(self, pool: deque[minimal_relay.UpstreamConnection], app: ProxyApp,
                 accounting: bool) -> None:
        super().__init__(pool)
        self.app = app
        self.accounting = accounting
        self.raw_headers: list[tuple[bytes, bytes]] = []
        self.status = 0

    def on_message_begin(self) -> None:
        self.out = []
        self.raw_headers = []

    def on_header(self, name: bytes, value: bytes) -> None:
        self.raw_headers.append((name, value))

    def on_headers_complete(self) -> None:
        client = self.client
        assert client is not None
        client.upstream.breaker.record_success()
        self.status = status = self.parser.get_status_code()
        lines, _ = response_header_lines(self.raw_headers, client.prepared.request_id)
        self.out.append(b"".join([STATUS_LINES[status], lines, b"\r\n"]))

    def on_message_complete(self) -> None:
        client = self.client
        super().on_message_complete()  # the response out, the connection back in the pool
        if client is None:
            return
        client.upstream.release()
        if self.accounting:
            app, prepared, decision = self.app, client.prepared, client.decision
            app.metrics.relayed += 1
            app.record_request(runtime=client.runtime, decision=decision,
                               upstream=client.upstream.name, status=self.status,
                               duration=perf_counter() - client.started,
                               request_id=prepared.request_id, method=client.method,
                               path=client.path, query=b"", peer=client.peer, error=None)


class Client(minimal_relay.Client):
    # set per request by on_message_complete
    runtime: Runtime
    prepared: PreparedRequest
    decision: Decision
    upstream: Upstream
    method: str
    path: str
    started: float

    def __init__(self, pool: deque[minimal_relay.UpstreamConnection], upstream_port: int,
                 app: ProxyApp, accounting: bool) -> None:
        super().__init__(pool, upstream_port)
        self.app = app
        self.accounting = accounting
        self.raw_headers: list[tuple[bytes, bytes]] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self.peer: str = transport.get_extra_info("peername")[0]

    def on_message_begin(self) -> None:
        self.url = b""
        self.raw_headers = []

    def on_header(self, name: bytes, value: bytes) -> None:
        self.raw_headers.append((name.lower(), value))

    def on_message_complete(self) -> None:
        self.started = perf_counter()
        app = self.app
        runtime = app.runtime
        assert runtime is not None
        self.runtime = runtime
        self.method = method = self.parser.get_method().decode("ascii")
        prepared = self.prepared = prepare_request(self.raw_headers, peer=self.peer,
                                                   scheme="http", trust=runtime.trust)
        check_target(method, self.url)
        self.path = path = normalize_path(self.url)
        decision = self.decision = runtime.table.decide(
            method, prepared.host.decode("latin-1"), path, prepared.conditions, self.peer,
            canary=app.canary)
        upstream = self.upstream = runtime.upstreams[decision.primary]
        upstream.acquire()
        self.send(encode_bodyless_head(method.encode("ascii"), decision.forward_path.encode(),
                                       prepared.headers, prepared.host))

    def connect(self) -> UpstreamConnection:
        return UpstreamConnection(self.pool, self.app, self.accounting)


async def main(port: int, upstream_port: int, routes: str, accounting: bool) -> None:
    access = open(os.devnull, "w", buffering=64 * 1024, encoding="utf-8")  # noqa: SIM115
    app = create_app(routes, watch=False, access_stream=access, state=False)
    await app.startup()
    pool: deque[minimal_relay.UpstreamConnection] = deque()
    await minimal_relay.serve(port, lambda: Client(pool, upstream_port, app, accounting))


if __name__ == "__main__":
    minimal_relay.run(main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3],
                           "--no-accounting" not in sys.argv[4:]))
