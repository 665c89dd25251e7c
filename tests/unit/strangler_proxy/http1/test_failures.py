"""Upstream failures: stale pooled connections, early closes, garbage, refused connects, cancels."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest

from strangler_proxy.http1 import ConnectionPool, Timeouts, errors

from .rawserver import RawServer, async_test, eventually, keep_alive_handler, response

TIMEOUTS = Timeouts(connect=5.0, read=5.0, write=5.0, pool=5.0)


async def fetch(pool: ConnectionPool, method: bytes = b"GET", **kw: object) -> bytes:
    resp = await pool.request(method, b"/", [(b"host", b"up")], **kw)  # type: ignore[arg-type]
    try:
        return await resp.aread()
    finally:
        await resp.aclose()


@async_test
async def test_idle_connection_closed_by_upstream_is_dropped_not_reused() -> None:
    async def handler(reader, writer, server):
        await server.read_request(reader)
        writer.write(response(200, b"once"))  # advertises keep-alive, then closes anyway
        await writer.drain()

    async with RawServer(handler) as server:
        pool = ConnectionPool(server.url, timeouts=TIMEOUTS)
        assert await fetch(pool) == b"once"
        await eventually(lambda: pool.stats()["open"] == 0, "pool noticed the close")
        assert await fetch(pool) == b"once"
        assert server.connections == 2 and len(server.requests) == 2
        await pool.aclose()


def closes_on_second_request(on_connection: list[int]):
    """Answers the first request, then reads the second and closes without a byte back: the
    race where the upstream's keep-alive timeout fires just as the pooled connection is reused."""

    async def handler(reader, writer, server):
        on_connection.append(server.connections)
        if await server.read_request(reader) is None:
            return
        writer.write(response(200, b"first"))
        await server.read_request(reader)

    return handler


@async_test
async def test_stale_reused_connection_is_retried_once_for_idempotent_requests() -> None:
    async with RawServer(closes_on_second_request([])) as server:
        pool = ConnectionPool(server.url, timeouts=TIMEOUTS)
        assert await fetch(pool) == b"first"
        assert await fetch(pool, b"PUT", body=b"same") == b"first"
        assert server.connections == 2
        assert [r.method for r in server.requests] == [b"GET", b"PUT", b"PUT"]
        await pool.aclose()


@async_test
async def test_stale_reused_connection_is_not_replayed_for_post_or_streams() -> None:
    async def stream() -> AsyncIterator[bytes]:
        yield b"streamed"

    async with RawServer(closes_on_second_request([])) as server:
        pool = ConnectionPool(server.url, timeouts=TIMEOUTS)
        await fetch(pool)
        with pytest.raises(errors.RemoteProtocolError) as post:
            await fetch(pool, b"POST", body=b"once only")
        assert post.value.request_sent is True
        await fetch(pool)
        with pytest.raises(errors.UpstreamError) as streamed:
            await fetch(pool, b"PUT", body=stream())
        assert streamed.value.request_sent is True
        assert server.connections == 2  # neither failure opened a connection to retry
        await pool.aclose()


@async_test
async def test_fresh_connection_closed_without_response_is_not_retried() -> None:
    async def handler(reader, writer, server):
        await server.read_request(reader)

    async with RawServer(handler) as server:
        pool = ConnectionPool(server.url, timeouts=TIMEOUTS)
        with pytest.raises(errors.RemoteProtocolError) as caught:
            await fetch(pool)
        assert caught.value.request_sent is True
        assert server.connections == 1 and pool.stats()["open"] == 0
        await pool.aclose()


@pytest.mark.parametrize(
    "head, sent",
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", b"x" * 100),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
            b"64\r\n" + b"x" * 100 + b"\r\n",
        ),
    ],
    ids=["content-length", "chunked"],
)
@async_test
async def test_upstream_closing_mid_body_raises_read_error(head: bytes, sent: bytes) -> None:
    async def handler(reader, writer, server):
        await server.read_request(reader)
        writer.write(head + sent)
        await writer.drain()

    async with RawServer(handler) as server:
        pool = ConnectionPool(server.url, timeouts=TIMEOUTS)
        resp = await pool.request(b"GET", b"/", [])
        received = []
        with pytest.raises(errors.ReadError) as caught:
            async for chunk in resp.aiter_bytes():
                received.append(chunk)
        await resp.aclose()
        assert b"".join(received) == b"x" * 100
        assert caught.value.request_sent is True
        assert pool.stats()["open"] == 0
        await pool.aclose()


@pytest.mark.parametrize(
    "garbage",
    [
        b"SMTP ready\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nhi",
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
    ],
    ids=["not-http", "duplicate-length", "unrequested-101"],
)
@async_test
async def test_malformed_responses_raise_remote_protocol_error(garbage: bytes) -> None:
    async def handler(reader, writer, server):
        await server.read_request(reader)
        writer.write(garbage)
        await reader.read()

    async with RawServer(handler) as server:
        pool = ConnectionPool(server.url, timeouts=TIMEOUTS)
        with pytest.raises(errors.RemoteProtocolError):
            await fetch(pool)
        assert pool.stats()["open"] == 0
        await pool.aclose()


@async_test
async def test_connection_refused_is_connect_error_with_nothing_sent() -> None:
    with socket.socket() as sock:  # a port that was just free: nothing listens on it
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    pool = ConnectionPool(f"http://127.0.0.1:{port}", timeouts=TIMEOUTS)
    with pytest.raises(errors.ConnectError) as caught:
        await fetch(pool)
    assert caught.value.request_sent is False
    assert pool.stats() == {"open": 0, "idle": 0, "in_use": 0, "waiting": 0}
    await pool.aclose()


@async_test
async def test_cancelled_while_waiting_for_the_head_closes_the_connection() -> None:
    saw_close = asyncio.Event()

    async def handler(reader, writer, server):
        await server.read_request(reader)
        await reader.read()  # returns at EOF: the client closed
        saw_close.set()

    async with RawServer(handler) as server:
        pool = ConnectionPool(server.url, timeouts=TIMEOUTS)
        task = asyncio.create_task(fetch(pool))
        await eventually(lambda: len(server.requests) == 1, "request reached the upstream")
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert pool.stats()["open"] == 0
        await saw_close.wait()
        await pool.aclose()


@async_test
async def test_cancelled_mid_body_closes_the_connection_instead_of_pooling_it() -> None:
    async def handler(reader, writer, server):
        if server.connections == 1:
            await server.read_request(reader)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf!")
            await reader.read()
        else:
            await keep_alive_handler(reader, writer, server)

    async with RawServer(handler) as server:
        pool = ConnectionPool(server.url, timeouts=TIMEOUTS)
        got_first = asyncio.Event()

        async def consume() -> None:
            resp = await pool.request(b"GET", b"/slow", [])
            try:
                async for _chunk in resp.aiter_bytes():
                    got_first.set()
            finally:
                await resp.aclose()

        task = asyncio.create_task(consume())
        await got_first.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert pool.stats()["open"] == 0
        assert await fetch(pool) == b"/"
        assert server.connections == 2
        await pool.aclose()


@async_test
async def test_cancelled_mid_upload_stops_the_body_iterator_and_closes() -> None:
    parked, finished = asyncio.Event(), asyncio.Event()

    async def body() -> AsyncIterator[bytes]:
        try:
            yield b"first"
            parked.set()
            await asyncio.sleep(30)  # the client of the proxy is slow to send the rest
            yield b"never"
        finally:
            finished.set()

    async def handler(reader, writer, server):
        await reader.read()

    async with RawServer(handler) as server:
        pool = ConnectionPool(server.url, timeouts=TIMEOUTS)
        task = asyncio.create_task(pool.request(b"POST", b"/", [], body=body()))
        await parked.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await finished.wait()
        assert pool.stats()["open"] == 0
        await pool.aclose()
