"""A floor, not a proxy: the smallest HTTP relay on the architecture the proxy uses.

Both heads parsed by httptools, the request forwarded on a kept-alive pooled upstream
connection, hop-by-hop headers dropped, the response relayed from the parser's callbacks in
one write: the shape of ``strangler_proxy.relay`` with none of its work (no normalisation,
routing, request id, forwarding headers, timeouts, circuit breaker, metrics or access line,
and no error handling: a failed upstream hangs its client). Bodyless requests only.
``python minimal_relay.py PORT UPSTREAM_PORT``; ``features_relay.py`` builds on its classes.
"""

from __future__ import annotations

import asyncio
import sys
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

import httptools

_DROP = frozenset({b"connection", b"keep-alive", b"proxy-connection", b"te", b"trailer",
                   b"transfer-encoding", b"upgrade"})


class _Parsing(asyncio.Protocol):
    """What both sides share: bytes to the parser, hop-by-hop headers dropped."""

    parser: Any  # a request parser on the client side, a response parser upstream
    headers: list[bytes]

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: asyncio.Transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.parser.feed_data(data)

    def on_header(self, name: bytes, value: bytes) -> None:
        if name.lower() not in _DROP:
            self.headers.append(b"%s: %s\r\n" % (name, value))


class UpstreamConnection(_Parsing):
    def __init__(self, pool: deque[UpstreamConnection]) -> None:
        self.pool = pool
        self.parser = httptools.HttpResponseParser(self)
        self.client: Client | None = None
        self.out: list[bytes] = []
        self.headers = []

    def on_message_begin(self) -> None:
        self.out = []
        self.headers = []

    def on_headers_complete(self) -> None:
        self.out.append(b"HTTP/1.1 %d OK\r\n%s\r\n" % (self.parser.get_status_code(),
                                                       b"".join(self.headers)))

    def on_body(self, body: bytes) -> None:
        self.out.append(body)

    def on_message_complete(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            client.transport.write(b"".join(self.out))
        self.pool.append(self)


class Client(_Parsing):
    def __init__(self, pool: deque[UpstreamConnection], upstream_port: int) -> None:
        self.pool = pool
        self.upstream_port = upstream_port
        self.parser = httptools.HttpRequestParser(self)
        self.url = b""
        self.headers = []

    def on_message_begin(self) -> None:
        self.url = b""
        self.headers = []

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_message_complete(self) -> None:
        self.send(b"%s %s HTTP/1.1\r\n%s\r\n" % (self.parser.get_method(), self.url,
                                                 b"".join(self.headers)))

    def send(self, head: bytes) -> None:
        """The head out on an idle pooled connection, or on a new one."""
        if self.pool:
            upstream = self.pool.pop()
            upstream.client = self
            upstream.transport.write(head)
        else:
            asyncio.get_running_loop().create_task(self._open(head))

    def connect(self) -> UpstreamConnection:
        return UpstreamConnection(self.pool)

    async def _open(self, head: bytes) -> None:
        loop = asyncio.get_running_loop()
        transport, upstream = await loop.create_connection(self.connect, "127.0.0.1",
                                                           self.upstream_port)
        upstream.client = self
        transport.write(head)


async def serve(port: int, protocol: Callable[[], asyncio.Protocol]) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(protocol, "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


def run(main: Coroutine[Any, Any, None]) -> None:
    """``main`` on uvloop when installed, as the proxy runs."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
    else:
        uvloop.run(main)


async def main(port: int, upstream_port: int) -> None:
    pool: deque[UpstreamConnection] = deque()
    await serve(port, lambda: Client(pool, upstream_port))


if __name__ == "__main__":
    run(main(int(sys.argv[1]), int(sys.argv[2])))
