"""Timeouts: connect (full backlog), read (silence, not total time), write, pool."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Iterator

import pytest

from strangler_proxy.http1 import ConnectionPool, Timeouts, errors

from .rawserver import RawServer, async_test, eventually, keep_alive_handler

SHORT = 0.3


@contextlib.contextmanager
def full_backlog() -> Iterator[int]:
    """A listener that never accepts, its backlog filled: further SYNs are dropped on Linux."""
    listener = socket.socket()
    fillers = []
    try:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        for _ in range(4):
            filler = socket.socket()
            filler.setblocking(False)
            fillers.append(filler)
            with contextlib.suppress(BlockingIOError):
                filler.connect(("127.0.0.1", port))
        yield port
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


@async_test
async def test_connect_timeout_when_the_backlog_is_full() -> None:
    with full_backlog() as port:
        pool = ConnectionPool(f"http://127.0.0.1:{port}", timeouts=Timeouts(connect=SHORT))
        with pytest.raises(errors.ConnectTimeout) as caught:
            await pool.request(b"GET", b"/", [])
        assert caught.value.request_sent is False
        assert pool.stats()["open"] == 0
        await pool.aclose()


@async_test
async def test_read_timeout_when_upstream_never_answers() -> None:
    async def handler(reader, writer, server):
        await server.read_request(reader)
        await reader.read()

    async with RawServer(handler) as server:
        pool = ConnectionPool(server.url, timeouts=Timeouts(read=SHORT))
        with pytest.raises(errors.ReadTimeout) as caught:
            await pool.request(b"GET", b"/", [])
        assert caught.value.request_sent is True
        assert pool.stats()["open"] == 0
        await pool.aclose()


@async_test
async def test_read_timeout_bounds_silence_not_the_whole_stream() -> None:
    gap, chunks = 0.03, 20  # the stream lasts twice the read timeout; no gap comes close

    async def handler(reader, writer, server):
        await server.read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        for _ in range(chunks):
            await asyncio.sleep(gap)
            writer.write(b"1\r\nx\r\n")
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        await reader.read()

    async with RawServer(handler) as server:
        pool = ConnectionPool(server.url, timeouts=Timeouts(read=gap * chunks / 2))
        resp = await pool.request(b"GET", b"/stream", [])
        assert await resp.aread() == b"x" * chunks
        await resp.aclose()

        stalled = asyncio.Event()

        async def stall(reader, writer, server):
            await server.read_request(reader)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
            await writer.drain()
            stalled.set()
            await reader.read()

        server.handler = stall
        pool2 = ConnectionPool(server.url, timeouts=Timeouts(read=SHORT))
        resp = await pool2.request(b"GET", b"/stall", [])
        with pytest.raises(errors.ReadTimeout):
            await resp.aread()
        await resp.aclose()
        assert stalled.is_set() and pool2.stats()["open"] == 0
        await pool.aclose()
        await pool2.aclose()


@async_test
async def test_write_timeout_when_upstream_stops_reading_the_body() -> None:
    async def handler(reader, writer, server):
        await reader.readuntil(b"\r\n\r\n")
        await asyncio.sleep(30)  # never reads the body; the test ends long before

    produced = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal produced
        block = b"z" * 65536
        while produced < 1 << 30:  # a bound, never reached: the socket buffers fill long before
            produced += len(block)
            yield block

    async with RawServer(handler) as server:
        pool = ConnectionPool(server.url, timeouts=Timeouts(write=SHORT, read=10))
        with pytest.raises(errors.WriteTimeout) as caught:
            await pool.request(b"POST", b"/upload", [], body=endless())
        assert caught.value.request_sent is True
        assert produced < 1 << 30
        assert pool.stats()["open"] == 0
        await pool.aclose()


@async_test
async def test_pool_timeout_when_no_connection_frees_up() -> None:
    async with RawServer(keep_alive_handler) as server:
        pool = ConnectionPool(server.url, timeouts=Timeouts(pool=SHORT), max_connections=1)
        held = await pool.request(b"GET", b"/held", [])
        with pytest.raises(errors.PoolTimeout) as caught:
            await pool.request(b"GET", b"/queued", [])
        assert caught.value.request_sent is False
        assert pool.stats() == {"open": 1, "idle": 0, "in_use": 1, "waiting": 0}
        await held.aread()
        await held.aclose()
        await eventually(lambda: pool.stats()["idle"] == 1, "connection back in the pool")
        resp = await pool.request(b"GET", b"/after", [])
        assert await resp.aread() == b"/after"
        await resp.aclose()
        assert [r.target for r in server.requests] == [b"/held", b"/after"]
        await pool.aclose()
