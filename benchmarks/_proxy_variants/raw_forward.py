"""A floor, not a proxy: bytes copied between a client socket and its own upstream socket.

No HTTP is parsed, so nothing is checked, routed or logged; one upstream connection per client
connection. What it measures is what any Python proxy on this event loop pays before doing
anything: the two reads, two writes and the loop's dispatch per request.
``python raw_forward.py PORT UPSTREAM_PORT``.
"""

from __future__ import annotations

import asyncio
import sys

from minimal_relay import run, serve  # the same server and loop set-up


class ToClient(asyncio.Protocol):
    """The upstream side: whatever arrives goes to the client as is."""

    def __init__(self, client: asyncio.Transport) -> None:
        self.client = client

    def data_received(self, data: bytes) -> None:
        self.client.write(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self.client.close()


class FromClient(asyncio.Protocol):
    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.upstream: asyncio.Transport | None = None
        self.early: list[bytes] = []  # bytes sent before the upstream connection was open

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: asyncio.Transport = transport  # type: ignore[assignment]
        asyncio.get_running_loop().create_task(self._open())

    async def _open(self) -> None:
        loop = asyncio.get_running_loop()
        upstream, _ = await loop.create_connection(lambda: ToClient(self.transport),
                                                   "127.0.0.1", self.upstream_port)
        self.upstream = upstream
        for data in self.early:
            upstream.write(data)
        self.early.clear()

    def data_received(self, data: bytes) -> None:
        if self.upstream is None:
            self.early.append(data)
        else:
            self.upstream.write(data)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.upstream is not None:
            self.upstream.close()


async def main(port: int, upstream_port: int) -> None:
    await serve(port, lambda: FromClient(upstream_port))


if __name__ == "__main__":
    run(main(int(sys.argv[1]), int(sys.argv[2])))
