"""Raw asyncio TCP servers on 127.0.0.1:0 for the HTTP/1.1 conformance tests.

Each test scripts the upstream byte by byte with a handler ``async (reader, writer, server)``,
so framing corner cases (no Content-Length, trailers, a close mid-body) are exact.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter, "RawServer"], Awaitable[None]]


@dataclass
class Request:
    method: bytes
    target: bytes
    headers: list[tuple[bytes, bytes]]
    body: bytes
    chunked: bool = False

    def header(self, name: bytes) -> bytes | None:
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None


@dataclass
class RawServer:
    handler: Handler
    connections: int = 0
    active: int = 0
    peak_active: int = 0
    requests: list[Request] = field(default_factory=list)
    _server: asyncio.Server | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.sockets[0].getsockname()[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> RawServer:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.connections += 1
        self.active += 1
        self.peak_active = max(self.peak_active, self.active)
        try:
            await self.handler(reader, writer, self)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            self.active -= 1
            writer.close()
            self._tasks.discard(task)

    async def read_request(self, reader: asyncio.StreamReader) -> Request | None:
        """Read one request (Content-Length or chunked body); None when the client closed."""
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return None
        line, *lines = head[:-4].split(b"\r\n")
        method, target, _ = line.split(b" ")
        headers = [(k, v.strip()) for k, _, v in (raw.partition(b":") for raw in lines)]
        request = Request(method, target, headers, b"")
        length = request.header(b"content-length")
        if request.header(b"transfer-encoding") == b"chunked":
            request.chunked = True
            parts = []
            while True:
                size = int((await reader.readuntil(b"\r\n"))[:-2], 16)
                data = await reader.readexactly(size + 2)
                if size == 0:
                    break
                parts.append(data[:-2])
            request.body = b"".join(parts)
        elif length is not None:
            request.body = await reader.readexactly(int(length))
        self.requests.append(request)
        return request


def response(status: int = 200, body: bytes = b"ok", *extra: bytes) -> bytes:
    """A Content-Length response with optional extra header lines."""
    lines = [b"HTTP/1.1 %d X" % status, b"content-length: %d" % len(body), *extra]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


async def keep_alive_handler(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, server: RawServer
) -> None:
    """Answers every request on the connection with its target as the body."""
    while (request := await server.read_request(reader)) is not None:
        writer.write(response(200, request.target))
        await writer.drain()


# Set per test by the ``event_loop_kind`` fixture in conftest.py: uvicorn runs the proxy on
# uvloop when it is installed, and on asyncio's own loop otherwise, so both are tested.
loop_factory: Callable[[], asyncio.AbstractEventLoop] = asyncio.new_event_loop


def async_test(fn: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Run an async test body in a fresh event loop, bounded so a hang fails instead of stalling."""

    @functools.wraps(fn)
    def wrapper(*args: object, **kwargs: object) -> None:
        async def bounded() -> None:
            async with asyncio.timeout(30):
                await fn(*args, **kwargs)

        with asyncio.Runner(loop_factory=loop_factory) as runner:
            runner.run(bounded())

    return wrapper


async def eventually(predicate: Callable[[], bool], what: str) -> None:
    """Yield to the loop until ``predicate()`` holds (bounded: fails rather than hangs)."""
    for _ in range(500):
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never happened: {what}")
