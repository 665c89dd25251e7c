"""The proxy's own Python per request, without sockets: the relay against the ASGI path.

    .venv/bin/python benchmarks/relay_python.py [--requests 20000] [--rounds 5]

A throughput run mixes the proxy's Python with the kernel's socket work, the event loop and
whatever else the machine does, and moves by 10-30 % between runs on this VM. This script
takes the sockets away: one client connection and one pooled upstream connection get fake
transports, and each request is the request bytes fed to the server protocol and the
upstream's answer (the ~1 KB JSON of ``_proxy_variants/upstream.py``) fed to the upstream
connection. Everything else is the production code under ``strangler proxy serve``'s defaults
(one pass-through route, metrics, the JSON access line, request ids, header hygiene, live
route counters), on uvloop when installed. It prints microseconds per request, the best
and the median of the rounds, for the relay, the ASGI path and the relay with every request
shadowed (the copy handed to a real shadow worker process), side by side. The best round is
the steadier figure (medians move with whatever else the VM does), and rows of one run share
the machine's speed of the moment, so compare rows of one run.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks" / "_proxy_variants"))

from upstream import RESPONSE  # noqa: E402  (the benchmark upstream's exact answer)

from strangler_proxy.app import ProxyApp, create_app  # noqa: E402
from strangler_proxy.http1.connection import Connection  # noqa: E402
from strangler_proxy.server.protocol import HttpServerProtocol  # noqa: E402

REQUEST = b"GET /items HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nAccept: */*\r\n\r\n"
ROUTES = """\
default = "app"

[proxy]
fast_path = {fast}

[upstreams.app]
url = "http://127.0.0.1:9"

[upstreams.cand]
url = "http://127.0.0.1:9"

[[routes]]
name = "pass-through"
path = "/"
{route}

[state]
store = "sqlite:///{tmp}/state-{fast}.db"
"""
SERVICE_ROUTE = 'upstream = "app"\nstage = "service"'
# every request copied to "cand" (nothing listens: the worker counts candidate errors)
SHADOW_ROUTE = 'upstream = "cand"\nstage = "shadow"\n[routes.shadow]\nsample_rate = 1.0'



class NullStream:
    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


class FakeTransport:
    """What the protocols write to, minus the socket."""

    def __init__(self) -> None:
        self.last = b""
        self.writes = 0

    def write(self, data: bytes) -> None:
        self.last = data
        self.writes += 1

    def is_closing(self) -> bool:
        return False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 40000),
                "sockname": ("127.0.0.1", 8000)}.get(name, default)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def close(self) -> None:
        pass

    def abort(self) -> None:
        pass

    def get_write_buffer_size(self) -> int:
        return 0

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        pass


async def wired(app: ProxyApp) -> tuple[HttpServerProtocol, FakeTransport, Connection,
                                         FakeTransport]:
    """A client connection and an idle pooled upstream connection, both on fake transports."""
    loop = asyncio.get_running_loop()
    config = types.SimpleNamespace(loaded=True, loaded_app=app, timeout_keep_alive=5.0)
    state = types.SimpleNamespace(connections=set(), tasks=set(), default_headers=[],
                                  total_requests=0)
    server = HttpServerProtocol(config, state, {}, _loop=loop)
    client = FakeTransport()
    server.connection_made(client)  # type: ignore[arg-type]
    assert app.runtime is not None
    pool = app.runtime.upstreams["app"].pool
    conn = Connection(loop, pool._timeouts)
    upstream = FakeTransport()
    conn.connection_made(upstream)  # type: ignore[arg-type]
    conn.pool = pool
    pool._open += 1  # counted as the pool counts the connections it opens
    pool._loop = loop
    pool.checkin(conn)
    return server, client, conn, upstream


async def one_asgi(server: HttpServerProtocol, client: FakeTransport, conn: Connection,
                   upstream: FakeTransport) -> None:
    sent, answered = upstream.writes, client.writes
    server.data_received(REQUEST)
    while upstream.writes == sent:  # the exchange's task runs until the request is out
        await asyncio.sleep(0)
    conn.data_received(RESPONSE)
    while client.writes == answered:
        await asyncio.sleep(0)


async def measure(fast: bool, tmp: str, requests: int, rounds: int, *,
                  shadow: bool = False) -> list[float]:
    routes = Path(tmp) / f"routes-{fast}-{shadow}.toml"
    routes.write_text(ROUTES.format(fast=str(fast).lower(), tmp=tmp,
                                    route=SHADOW_ROUTE if shadow else SERVICE_ROUTE))
    app = create_app(routes, watch=False, access_stream=NullStream())  # type: ignore[arg-type]
    await app.startup()
    try:
        server, client, conn, upstream = await wired(app)
        if fast:
            def one() -> None:
                server.data_received(REQUEST)
                conn.data_received(RESPONSE)
        times: list[float] = []
        for round_no in range(rounds + 1):  # the first round warms up
            started = time.perf_counter()
            for i in range(requests):
                if fast:
                    one()
                    if i % 256 == 0:
                        await asyncio.sleep(0)  # let the loop drop cancelled timers
                else:
                    await one_asgi(server, client, conn, upstream)
            if round_no:
                times.append((time.perf_counter() - started) / requests * 1e6)
        assert client.last.endswith(RESPONSE.partition(b"\r\n\r\n")[2]), client.last[:200]
        relayed = app.metrics.relayed
        assert (relayed > 0) == fast, f"relayed {relayed} with fast_path={fast}"
        return times
    finally:
        await app.shutdown()


def run(coro_factory: Callable[[], Any]) -> Any:
    try:
        import uvloop
        factory: Any = uvloop.new_event_loop
    except ImportError:
        factory = None
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(coro_factory())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20000, help="requests per round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="strangler-relay-") as tmp:
        rows = [(name, run(lambda fast=fast, shadow=shadow: measure(
                    fast, tmp, args.requests, args.rounds, shadow=shadow)))
                for name, fast, shadow in (("relay (fast path)", True, False),
                                           ("ASGI path", False, False),
                                           ("relay, shadow on", True, True))]
    print(f"Python per request, no sockets ({args.rounds} x {args.requests:,} requests):")
    for name, times in rows:
        print(f"  {name:<20} best {min(times):6.1f} us   median {statistics.median(times):6.1f} us")
    relay, asgi, shadowed = (min(t) for _, t in rows)
    print(f"  the relay costs {relay / asgi:.2f}x the ASGI path's Python; a shadow copy adds "
          f"{shadowed - relay:.1f} us (best rounds)")


if __name__ == "__main__":
    main()
