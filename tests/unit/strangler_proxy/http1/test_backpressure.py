"""Backpressure both ways: bounded buffers however large the body and however slow the reader."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from strangler_proxy.http1 import HIGH_WATER, ConnectionPool, Timeouts

from .rawserver import RawServer, async_test, response

# One recv() may land on top of a full buffer before the transport pauses (256 KiB in asyncio).
READ_SLACK = 256 * 1024
TIMEOUTS = Timeouts(connect=5.0, read=10.0, write=10.0, pool=5.0)


@async_test
async def test_download_buffer_stays_bounded_with_a_slow_consumer() -> None:
    total, block = 200 * 1024 * 1024, b"d" * 65536

    async def handler(reader, writer, server):
        await server.read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % total)
        for _ in range(total // len(block)):
            writer.write(block)
            await writer.drain()
        await reader.read()

    async with RawServer(handler) as server:
        pool = ConnectionPool(server.url, timeouts=TIMEOUTS)
        resp = await pool.request(b"GET", b"/big", [])
        received = chunks = 0
        async for chunk in resp.aiter_bytes():
            received += len(chunk)
            chunks += 1
            if chunks % 128 == 1:
                # Stalls far slower than the producer: unbounded reading would buffer megabytes.
                await asyncio.sleep(0.02)
        assert received == total
        # The buffer did reach the high-water mark (so the bound was exercised), never far past.
        assert HIGH_WATER <= resp.peak_buffered <= HIGH_WATER + READ_SLACK
        await resp.aclose()
        assert pool.stats()["idle"] == 1  # fully read: kept alive
        await pool.aclose()


@async_test
async def test_upload_waits_for_the_upstream_instead_of_buffering() -> None:
    total, block = 64 * 1024 * 1024, b"u" * 65536

    async def handler(reader, writer, server):
        await reader.readuntil(b"\r\n\r\n")
        got = 0
        while got < total:
            got += len(await reader.read(65536))
            await asyncio.sleep(0)  # a slow reader
        writer.write(response(200, b"%d" % got))
        await writer.drain()

    async def body() -> AsyncIterator[bytes]:
        for _ in range(total // len(block)):
            yield block

    async with RawServer(handler) as server:
        pool = ConnectionPool(server.url, timeouts=TIMEOUTS)
        resp = await pool.request(b"PUT", b"/up", [], body=body(), content_length=total)
        assert await resp.aread() == b"%d" % total
        # asyncio's write buffer pauses us at 64 KiB; one more block may sit on top of it.
        assert resp.peak_write_buffered <= 64 * 1024 + len(block)
        await resp.aclose()
        await pool.aclose()
