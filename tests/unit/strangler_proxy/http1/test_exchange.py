"""HTTP/1.1 conformance of one exchange: keep-alive, framing both ways, 1xx, HEAD, 204/304."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from strangler_proxy.http1 import ConnectionPool, Timeouts

from .rawserver import RawServer, async_test, keep_alive_handler, response

TIMEOUTS = Timeouts(connect=5.0, read=5.0, write=5.0, pool=5.0)


async def fetch(pool: ConnectionPool, target: bytes = b"/", method: bytes = b"GET", **kw: object):
    resp = await pool.request(method, target, [(b"host", b"upstream")], **kw)  # type: ignore[arg-type]
    try:
        return resp, await resp.aread()
    finally:
        await resp.aclose()


@async_test
async def test_keep_alive_reuses_one_connection() -> None:
    async with RawServer(keep_alive_handler) as server:
        pool = ConnectionPool(server.url, timeouts=TIMEOUTS)
        bodies = [(await fetch(pool, b"/n/%d?q=1" % i))[1] for i in range(5)]
        assert bodies == [b"/n/%d?q=1" % i for i in range(5)]
        assert server.connections == 1
        assert pool.stats() == {"open": 1, "idle": 1, "in_use": 0, "waiting": 0}
        await pool.aclose()
        assert pool.stats()["open"] == 0


@async_test
async def test_connection_close_from_upstream_is_honoured() -> None:
    async def handler(reader, writer, server):
        # Says "close" but leaves the socket open: the client must not reuse it anyway.
        while await server.read_request(reader) is not None:
            writer.write(response(200, b"bye", b"Connection: close"))

    async with RawServer(handler) as server:
        pool = ConnectionPool(server.url, timeouts=TIMEOUTS)
        for _ in range(3):
            _, body = await fetch(pool)
            assert body == b"bye"
        assert server.connections == 3
        assert len(server.requests) == 3
        assert pool.stats()["open"] == 0
        await pool.aclose()


@async_test
async def test_http10_upstream_without_keep_alive_is_not_reused() -> None:
    async def handler(reader, writer, server):
        while await server.read_request(reader) is not None:
            writer.write(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhi")

    async with RawServer(handler) as server:
        pool = ConnectionPool(server.url, timeouts=TIMEOUTS)
        first, body = await fetch(pool)
        await fetch(pool)
        assert (first.http_version, first.reason, body) == ("1.0", b"OK", b"hi")
        assert server.connections == 2
        await pool.aclose()


@async_test
async def test_body_delimited_by_close() -> None:
    payload = bytes(range(256)) * 1000

    async def handler(reader, writer, server):
        await server.read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: x\r\n\r\n" + payload)
        await writer.drain()
        writer.close()

    async with RawServer(handler) as server:
        pool = ConnectionPool(server.url, timeouts=TIMEOUTS)
        resp, body = await fetch(pool)
        assert resp.has_body and body == payload
        assert pool.stats()["open"] == 0
        await pool.aclose()


@async_test
async def test_chunked_response_with_trailers_ignored() -> None:
    async def handler(reader, writer, server):
        while await server.read_request(reader) is not None:
            writer.write(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n"
                b"5\r\nhello\r\n1;ext=1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: secret\r\n\r\n"
            )

    async with RawServer(handler) as server:
        pool = ConnectionPool(server.url, timeouts=TIMEOUTS)
        resp, body = await fetch(pool)
        assert body == b"hello world"
        assert resp.headers == [(b"Transfer-Encoding", b"chunked"), (b"X-A", b"1")]
        await fetch(pool)  # the trailer left the framing intact: same connection
        assert server.connections == 1
        await pool.aclose()


@async_test
async def test_chunked_request_body_is_streamed() -> None:
    async def parts() -> AsyncIterator[bytes]:
        for part in (b"alpha", b"", b"beta", b"gamma" * 1000):
            yield part

    async with RawServer(keep_alive_handler) as server:
        pool = ConnectionPool(server.url, timeouts=TIMEOUTS)
        await fetch(pool, b"/up", b"POST", body=parts())
        (request,) = server.requests
        assert request.chunked and request.header(b"content-length") is None
        assert request.body == b"alphabeta" + b"gamma" * 1000
        await fetch(pool)
        assert server.connections == 1  # the terminating chunk was sent: reusable
        await pool.aclose()


@async_test
async def test_content_length_body_streams_without_buffering_it_all() -> None:
    first_arrived = asyncio.Event()
    chunk = b"x" * 65536

    async def handler(reader, writer, server):
        head = await reader.readuntil(b"\r\n\r\n")
        assert b"content-length: 1048576\r\n" in head and b"chunked" not in head
        await reader.readexactly(len(chunk))
        first_arrived.set()
        rest = await reader.readexactly(1048576 - len(chunk))
        writer.write(response(201, b"%d" % (len(chunk) + len(rest))))
        await writer.drain()

    async def body() -> AsyncIterator[bytes]:
        yield chunk
        # Only a client that sent the first chunk before asking for the rest gets past this.
        await first_arrived.wait()
        for _ in range(15):
            yield chunk

    async with RawServer(handler) as server:
        pool = ConnectionPool(server.url, timeouts=TIMEOUTS)
        resp, got = await fetch(pool, b"/up", b"PUT", body=body(), content_length=1048576)
        assert (resp.status, got) == (201, b"1048576")
        await pool.aclose()


@async_test
async def test_bytes_body_gets_content_length() -> None:
    async with RawServer(keep_alive_handler) as server:
        pool = ConnectionPool(server.url, timeouts=TIMEOUTS)
        await fetch(pool, b"/f", b"POST", body=b"a=1&b=2")
        await fetch(pool, b"/e", b"POST", body=None, content_length=0)
        first, second = server.requests
        assert (first.header(b"content-length"), first.body) == (b"7", b"a=1&b=2")
        assert second.header(b"content-length") == b"0"
        await pool.aclose()


@async_test
async def test_interim_1xx_responses_are_skipped() -> None:
    async def handler(reader, writer, server):
        while await server.read_request(reader) is not None:
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            writer.write(b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n")
            writer.write(response(200, b"final", b"X-Final: yes"))

    async with RawServer(handler) as server:
        pool = ConnectionPool(server.url, timeouts=TIMEOUTS)
        resp, body = await fetch(pool)
        assert (resp.status, body) == (200, b"final")
        assert (b"X-Final", b"yes") in resp.headers and all(k != b"Link" for k, _ in resp.headers)
        await fetch(pool)
        assert server.connections == 1
        await pool.aclose()


@async_test
async def test_head_204_304_have_no_body_and_keep_the_connection() -> None:
    answers = [
        b"HTTP/1.1 200 OK\r\nContent-Length: 12345\r\n\r\n",  # HEAD: length, no body
        b"HTTP/1.1 204 No Content\r\n\r\n",
        b"HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\n\r\n",
        response(200, b"after"),
    ]

    async def handler(reader, writer, server):
        for answer in answers:
            await server.read_request(reader)
            writer.write(answer)
        await reader.read()

    async with RawServer(handler) as server:
        pool = ConnectionPool(server.url, timeouts=TIMEOUTS)
        head, head_body = await fetch(pool, method=b"HEAD")
        no_content, _ = await fetch(pool, method=b"DELETE")
        not_modified, _ = await fetch(pool)
        _, after_body = await fetch(pool)
        assert (head.status, head.has_body, head_body) == (200, False, b"")
        assert (b"Content-Length", b"12345") in head.headers
        assert (no_content.status, no_content.has_body) == (204, False)
        assert (not_modified.status, not_modified.has_body) == (304, False)
        assert after_body == b"after"
        assert server.connections == 1
        await pool.aclose()


@async_test
async def test_headers_keep_order_case_and_duplicates() -> None:
    async def handler(reader, writer, server):
        await server.read_request(reader)
        writer.write(
            b"HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nX-Mixed-Case: v\r\n"
            b"Set-Cookie: b=2\r\nContent-Length: 0\r\n\r\n"
        )

    async with RawServer(handler) as server:
        pool = ConnectionPool(server.url, timeouts=TIMEOUTS)
        resp = await pool.request(b"GET", b"/", [(b"X-Request-ID", b"r1"), (b"accept", b"*/*")])
        await resp.aclose()
        assert resp.headers == [
            (b"Set-Cookie", b"a=1"), (b"X-Mixed-Case", b"v"), (b"Set-Cookie", b"b=2"),
            (b"Content-Length", b"0"),
        ]
        # Host was absent, so the upstream's authority goes first; the rest as given.
        assert server.requests[0].headers == [
            (b"host", f"127.0.0.1:{server.port}".encode()),
            (b"X-Request-ID", b"r1"), (b"accept", b"*/*"),
        ]
        await pool.aclose()


@async_test
async def test_requests_are_never_pipelined() -> None:
    pipelined = []

    async def handler(reader, writer, server):
        while await server.read_request(reader) is not None:
            try:  # a pipelining client would already have sent the next request
                async with asyncio.timeout(0.05):
                    pipelined.append(await reader.read(1))
            except TimeoutError:
                pass
            writer.write(response(200, b"one"))

    async with RawServer(handler) as server:
        pool = ConnectionPool(server.url, timeouts=TIMEOUTS, max_connections=1)
        results = await asyncio.gather(*(fetch(pool, b"/%d" % i) for i in range(4)))
        assert [body for _, body in results] == [b"one"] * 4
        assert pipelined == [] and len(server.requests) == 4 and server.connections == 1
        await pool.aclose()


@async_test
async def test_request_and_response_bodies_stream_at_the_same_time() -> None:
    async def echo(reader, writer, server):
        # Sends each received chunk straight back: needs a client that reads while it sends.
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        while True:
            size = int((await reader.readuntil(b"\r\n"))[:-2], 16)
            data = (await reader.readexactly(size + 2))[:-2]
            writer.write(b"%x\r\n%s\r\n" % (size, data))
            if size == 0:
                break

    echoed = asyncio.Queue()

    async def body() -> AsyncIterator[bytes]:
        for i in range(5):
            yield b"part-%d" % i
            assert await echoed.get() == b"part-%d" % i  # lock-step: echo before the next part

    async with RawServer(echo) as server:
        pool = ConnectionPool(server.url, timeouts=TIMEOUTS)
        resp = await pool.request(b"POST", b"/echo", [], body=body())
        async for chunk in resp.aiter_bytes():
            await echoed.put(chunk)
        await resp.aclose()
        assert pool.stats()["idle"] == 1
        await pool.aclose()


@async_test
async def test_early_response_while_uploading_is_returned() -> None:
    async def refuses(reader, writer, server):
        await reader.readuntil(b"\r\n\r\n")
        writer.write(response(413, b"too large", b"Connection: close"))
        await asyncio.sleep(30)  # never reads the body, never closes: the client must cope

    async def huge() -> AsyncIterator[bytes]:
        block = b"b" * 65536
        for _ in range(16384):  # 1 GiB if anyone read it all
            yield block

    async with RawServer(refuses) as server:
        pool = ConnectionPool(server.url, timeouts=TIMEOUTS)
        resp = await pool.request(b"POST", b"/up", [], body=huge(), content_length=1 << 30)
        assert (resp.status, await resp.aread()) == (413, b"too large")
        await resp.aclose()
        assert pool.stats()["open"] == 0  # the upload was abandoned: never reused
        await pool.aclose()
