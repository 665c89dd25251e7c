"""Pool limits and lifecycle: max_connections, FIFO waiters, idle limits, close, bad URLs."""

from __future__ import annotations

import asyncio

import pytest

from strangler_proxy.http1 import ConnectionPool, Timeouts, UpstreamResponse, errors

from . import rawserver
from .rawserver import RawServer, async_test, eventually, keep_alive_handler, response

TIMEOUTS = Timeouts(connect=5.0, read=5.0, write=5.0, pool=5.0)


async def slow_handler(reader, writer, server):
    while (request := await server.read_request(reader)) is not None:
        await asyncio.sleep(0.01)
        writer.write(response(200, request.target))


@async_test
async def test_max_connections_is_respected_under_concurrency() -> None:
    async with RawServer(slow_handler) as server:
        pool = ConnectionPool(server.url, timeouts=TIMEOUTS, max_connections=4)

        async def one(i: int) -> bytes:
            resp = await pool.request(b"GET", b"/%d" % i, [])
            try:
                return await resp.aread()
            finally:
                await resp.aclose()

        bodies = await asyncio.gather(*(one(i) for i in range(40)))
        assert bodies == [b"/%d" % i for i in range(40)]
        assert server.connections == 4 and server.peak_active == 4
        assert pool.stats() == {"open": 4, "idle": 4, "in_use": 0, "waiting": 0}
        await pool.aclose()


@async_test
async def test_waiters_are_served_first_come_first_served() -> None:
    async with RawServer(keep_alive_handler) as server:
        pool = ConnectionPool(server.url, timeouts=TIMEOUTS, max_connections=1)
        held = await pool.request(b"GET", b"/held", [])
        served: list[int] = []

        async def queued(i: int) -> None:
            resp = await pool.request(b"GET", b"/%d" % i, [])
            served.append(i)
            await resp.aread()
            await resp.aclose()

        tasks = []
        for i in range(6):
            tasks.append(asyncio.create_task(queued(i)))
            await eventually(lambda n=i: pool.stats()["waiting"] == n + 1, f"waiter {i} queued")
        await held.aread()
        await held.aclose()
        await asyncio.gather(*tasks)
        assert served == list(range(6))
        assert server.connections == 1
        await pool.aclose()


@async_test
async def test_cancelled_waiter_does_not_leak_its_slot() -> None:
    async with RawServer(keep_alive_handler) as server:
        pool = ConnectionPool(server.url, timeouts=TIMEOUTS, max_connections=1)
        held = await pool.request(b"GET", b"/held", [])
        waiter = asyncio.create_task(pool.request(b"GET", b"/never", []))
        await eventually(lambda: pool.stats()["waiting"] == 1, "waiter queued")
        await held.aclose()  # hands the connection to the waiter (closed: body unread)...
        waiter.cancel()  # ...which is cancelled in the same loop turn
        with pytest.raises(asyncio.CancelledError):
            await waiter
        resp = await pool.request(b"GET", b"/next", [])
        assert await resp.aread() == b"/next"
        await resp.aclose()
        assert pool.stats()["open"] == 1 and pool.stats()["waiting"] == 0
        await pool.aclose()


@async_test
async def test_idle_limits_and_idle_timeout() -> None:
    async with RawServer(slow_handler) as server:
        pool = ConnectionPool(
            server.url, timeouts=TIMEOUTS, max_connections=5, max_idle_connections=2,
            idle_timeout=0.2,
        )
        responses: list[UpstreamResponse] = await asyncio.gather(
            *(pool.request(b"GET", b"/", []) for _ in range(5))
        )
        for resp in responses:
            await resp.aread()
            await resp.aclose()
        assert pool.stats() == {"open": 2, "idle": 2, "in_use": 0, "waiting": 0}
        await eventually(lambda: pool.stats()["open"] == 0, "idle connections expired")
        await eventually(lambda: server.active == 0, "upstream saw them close")
        await pool.aclose()


@async_test
async def test_aclose_closes_idle_and_releases_in_flight_later() -> None:
    async with RawServer(keep_alive_handler) as server:
        pool = ConnectionPool(server.url, timeouts=TIMEOUTS)
        first = await pool.request(b"GET", b"/a", [])
        second = await pool.request(b"GET", b"/b", [])
        await first.aread()
        await first.aclose()
        await pool.aclose()
        assert pool.stats() == {"open": 1, "idle": 0, "in_use": 1, "waiting": 0}
        assert await second.aread() == b"/b"  # in flight when the pool closed: still served
        await second.aclose()
        assert pool.stats()["open"] == 0
        with pytest.raises(errors.PoolClosed) as caught:
            await pool.request(b"GET", b"/c", [])
        assert caught.value.request_sent is False


@pytest.mark.parametrize(
    "url",
    ["ftp://host", "http://", "http://host/base/path", "http://host/?q=1", "http://u:p@host"],
)
def test_only_origins_are_accepted(url: str) -> None:
    with pytest.raises(ValueError, match="upstream URL"):
        ConnectionPool(url)


def test_request_target_that_could_smuggle_is_refused() -> None:
    async def scenario() -> None:
        pool = ConnectionPool("http://127.0.0.1:9")
        for target in (b"/a b", b"/a\r\nX: 1", b""):
            with pytest.raises(errors.LocalProtocolError):
                await pool.request(b"GET", target, [])
        assert pool.stats()["open"] == 0

    with asyncio.Runner(loop_factory=rawserver.loop_factory) as runner:
        runner.run(scenario())
