"""A measurement, not a proxy: ``minimal_relay.py`` plus the proxy's own per-request work.

The same glue as the minimal relay (httptools both sides, a kept-alive pool, one write per
response), calling the functions ``strangler_proxy.relay`` calls per request: header hygiene
with forwarding headers and a request id (``prepare_request``), the target check and path
normalisation, the route decision, the upstream head (``encode_bodyless_head``), the client's
response headers, the circuit breaker's success count, and, unless ``--no-accounting``, the
accounting: metrics and the JSON access line (to a 64 KiB-buffered file, as ``serve`` does).
Set against ``minimal_relay.py`` and the real proxy in one A/B run, it splits the proxy's cost
per request into its architecture, its features and its own glue.
``python features_relay.py PORT UPSTREAM_PORT [--no-accounting]``.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections import deque
from pathlib import Path
from time import perf_counter

import httptools

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from strangler_proxy.app import ProxyApp, create_app  # noqa: E402
from strangler_proxy.headers import PreparedRequest, prepare_request, response_headers  # noqa: E402
from strangler_proxy.http1.wire import encode_bodyless_head  # noqa: E402
from strangler_proxy.limits import check_target  # noqa: E402
from strangler_proxy.normalize import normalize_path  # noqa: E402
from strangler_proxy.routes import Decision  # noqa: E402
from strangler_proxy.server.exchange import STATUS_LINES  # noqa: E402
from strangler_proxy.upstreams import Upstream  # noqa: E402

ROUTES = """\
default = "app"

[upstreams.app]
url = "http://127.0.0.1:{upstream}"

[[routes]]
name = "pass-through"
path = "/"
upstream = "app"
stage = "service"
"""


class UpstreamConnection(asyncio.Protocol):
    def __init__(self, pool: deque[UpstreamConnection], relay: FeaturesRelay) -> None:
        self.pool = pool
        self.relay = relay
        self.parser = httptools.HttpResponseParser(self)
        self.client: Client | None = None
        self.out: list[bytes] = []
        self.headers: list[tuple[bytes, bytes]] = []
        self.status = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: asyncio.Transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.parser.feed_data(data)

    def on_message_begin(self) -> None:
        self.out = []
        self.headers = []

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        client = self.client
        assert client is not None
        client.upstream.breaker.record_success()
        self.status = status = self.parser.get_status_code()
        headers = response_headers(self.headers, client.prepared.request_id)
        self.out.append(b"".join([STATUS_LINES[status],
                                  *[b"%s: %s\r\n" % header for header in headers], b"\r\n"]))

    def on_body(self, body: bytes) -> None:
        self.out.append(body)

    def on_message_complete(self) -> None:
        client, self.client = self.client, None
        self.pool.append(self)
        if client is None:
            return
        client.transport.write(b"".join(self.out))
        client.upstream.release()
        if self.relay.accounting:
            app = self.relay.app
            prepared, decision = client.prepared, client.decision
            app.metrics.relayed += 1
            app.record_request(runtime=client.runtime, decision=decision,
                               upstream=client.upstream.name, status=self.status,
                               duration=perf_counter() - client.started,
                               request_id=prepared.request_id, method=client.method,
                               path=client.path, query=b"", peer=client.peer, error=None)


class Client(asyncio.Protocol):
    def __init__(self, relay: FeaturesRelay) -> None:
        self.relay = relay
        self.parser = httptools.HttpRequestParser(self)
        self.url = b""
        self.headers: list[tuple[bytes, bytes]] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: asyncio.Transport = transport  # type: ignore[assignment]
        self.peer: str = transport.get_extra_info("peername")[0]

    def data_received(self, data: bytes) -> None:
        self.parser.feed_data(data)

    def on_message_begin(self) -> None:
        self.url = b""
        self.headers = []

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name.lower(), value))

    def on_message_complete(self) -> None:
        self.started = perf_counter()
        app = self.relay.app
        runtime = self.runtime = app.runtime
        assert runtime is not None
        self.method = method = self.parser.get_method().decode("ascii")
        prepared = self.prepared = prepare_request(self.headers, peer=self.peer,
                                                   scheme="http", trust=runtime.trust)
        check_target(method, self.url)
        self.path = path = normalize_path(self.url)
        decision = self.decision = runtime.table.decide(
            method, prepared.host.decode("latin-1"), path, prepared.conditions, self.peer,
            canary=app.canary)
        upstream = self.upstream = runtime.upstreams[decision.primary]
        head = encode_bodyless_head(method.encode("ascii"), decision.forward_path.encode(),
                                    prepared.headers, prepared.host)
        upstream.acquire()
        pool = self.relay.pool
        if pool:
            connection = pool.pop()
            connection.client = self
            connection.transport.write(head)
        else:
            asyncio.get_running_loop().create_task(self._open(head))

    async def _open(self, head: bytes) -> None:
        loop = asyncio.get_running_loop()
        transport, connection = await loop.create_connection(
            lambda: UpstreamConnection(self.relay.pool, self.relay), "127.0.0.1",
            self.relay.upstream_port)
        connection.client = self
        transport.write(head)

    # set per request by on_message_complete
    runtime: object
    prepared: PreparedRequest
    decision: Decision
    upstream: Upstream
    method: str
    path: str
    started: float


class FeaturesRelay:
    def __init__(self, app: ProxyApp, upstream_port: int, accounting: bool) -> None:
        self.app = app
        self.upstream_port = upstream_port
        self.accounting = accounting
        self.pool: deque[UpstreamConnection] = deque()


async def main(port: int, upstream_port: int, accounting: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="features-relay-") as tmp:
        routes = Path(tmp) / "routes.toml"
        routes.write_text(ROUTES.format(upstream=upstream_port))
        access = open(os.devnull, "w", buffering=64 * 1024, encoding="utf-8")  # noqa: SIM115
        app = create_app(routes, watch=False, access_stream=access, state=False)
        await app.startup()
        relay = FeaturesRelay(app, upstream_port, accounting)
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: Client(relay), "127.0.0.1", port,
                                          backlog=1024)
        async with server:
            await server.serve_forever()


if __name__ == "__main__":
    try:
        import uvloop
    except ImportError:
        uvloop = None  # type: ignore[assignment]
    run = uvloop.run if uvloop is not None else asyncio.run
    run(main(int(sys.argv[1]), int(sys.argv[2]), "--no-accounting" not in sys.argv[3:]))
