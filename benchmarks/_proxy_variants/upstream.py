"""The benchmark's upstream: a tiny keep-alive HTTP/1.1 server answering ~1 KB of JSON.

asyncio Protocol + httptools' request parser (uvloop when installed), so it outruns every proxy
measured and the rows compare proxies, not upstreams. ``python upstream.py PORT``.
"""

from __future__ import annotations

import asyncio
import json
import sys

import httptools

BODY = json.dumps(
    {"items": [{"id": i, "title": f"Title number {i}", "rating": 4.5, "tags": ["a", "b"]}
               for i in range(14)]}
).encode()
RESPONSE = (
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s"
    % (len(BODY), BODY)
)
CLOSE_RESPONSE = RESPONSE.replace(b"\r\n\r\n", b"\r\nconnection: close\r\n\r\n", 1)


class Upstream(asyncio.Protocol):
    def __init__(self) -> None:
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            assert self.transport is not None
            self.transport.close()

    def on_message_complete(self) -> None:
        assert self.transport is not None
        if self.parser.should_keep_alive():
            self.transport.write(RESPONSE)
        else:
            self.transport.write(CLOSE_RESPONSE)
            self.transport.close()


async def main(port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Upstream, "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        import uvloop
    except ImportError:
        uvloop = None
    runner = uvloop.run if uvloop is not None else asyncio.run
    runner(main(int(sys.argv[1])))
