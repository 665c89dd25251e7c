"""A keep-alive pool of HTTP/1.1 connections to one upstream origin.

Every operation is O(1): idle connections sit on a stack (the most recently used is reused
first, so surplus ones age out), and requests waiting for a slot queue FIFO and are handed a
connection (or the right to open one) directly by whoever frees it. Nothing scans the pool per
request, unlike httpcore (encode/httpcore#1035).
"""

from __future__ import annotations

import asyncio
import ssl
from collections import deque
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

from .config import (
    DEFAULT_IDLE_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_IDLE_CONNECTIONS,
    DEFAULT_TIMEOUTS,
    Timeouts,
)
from .connection import Connection
from .errors import (
    ConnectError,
    ConnectTimeout,
    LocalProtocolError,
    NetworkError,
    PoolClosed,
    PoolTimeout,
    RemoteProtocolError,
)
from .response import UpstreamResponse
from .wire import IDEMPOTENT_METHODS, encode_head

__all__ = ["ConnectionPool"]

# A waiter is handed either a connection or None: "a slot is yours, open a connection".
_Waiter = asyncio.Future["Connection | None"]


class ConnectionPool:
    """Pooled HTTP/1.1 client for one origin (``http://host:port`` or ``https://...``).

    Create it inside the event loop that uses it (e.g. at ASGI lifespan startup) and
    ``await pool.aclose()`` at shutdown. ``ssl_context`` overrides the default verification
    for ``https`` origins (a private CA, say).
    """

    def __init__(
        self,
        url: str,
        *,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        max_idle_connections: int = DEFAULT_MAX_IDLE_CONNECTIONS,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"upstream URL must be http://host[:port] or https://..., got {url!r}")
        if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
            raise ValueError(f"upstream URL must be an origin without path or query, got {url!r}")
        if max_connections < 1 or max_idle_connections < 0:
            raise ValueError("max_connections must be >= 1 and max_idle_connections >= 0")
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self._host = parts.hostname
        self._port = parts.port or (443 if parts.scheme == "https" else 80)
        self._ssl = None
        if parts.scheme == "https":
            self._ssl = ssl_context or ssl.create_default_context()
        self._host_header = parts.netloc.encode("ascii")
        self._timeouts = timeouts
        self._max = max_connections
        self._max_idle = max_idle_connections
        self._idle_timeout = idle_timeout
        self._idle: deque[Connection] = deque()
        self._waiters: deque[_Waiter] = deque()
        self._waiting = 0
        self._open = 0  # counted against max_connections: connecting + idle + in use
        self._closed = False
        self._sweeper: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def request(
        self,
        method: bytes,
        target: bytes,
        headers: list[tuple[bytes, bytes]],
        body: bytes | AsyncIterator[bytes] | None = None,
        content_length: int | None = None,
    ) -> UpstreamResponse:
        """Send one request and return once the final response head arrived.

        ``headers`` must already be free of hop-by-hop and framing headers: this adds Host
        (when absent) and Content-Length or ``Transfer-Encoding: chunked``.
        """
        chunked = False
        if body is None:
            if content_length:
                raise LocalProtocolError("content_length given without a body", request_sent=False)
        elif isinstance(body, bytes):
            if content_length is not None and content_length != len(body):
                raise LocalProtocolError(
                    f"content_length {content_length} != body length {len(body)}",
                    request_sent=False,
                )
            content_length = len(body)
        elif content_length is None:
            chunked = True
        head = encode_head(method, target, headers, self._host_header, content_length, chunked)
        conn = self._checkout_idle() if self._idle and not self._closed else None
        if conn is None:
            conn = await self._acquire(fresh=False)
        try:
            return await conn.exchange(method, head, body, content_length)
        except (NetworkError, RemoteProtocolError) as exc:
            conn.close()
            # Nothing sent (it died while queued for us), or the upstream closed a kept-alive
            # connection just as we reused it and no response byte came: then replaying an
            # idempotent request with a replayable body is safe.
            if exc.request_sent and not (
                conn.requests and conn.lost_before_response and method in IDEMPOTENT_METHODS
                and (body is None or isinstance(body, bytes))
            ):
                raise
        except BaseException:
            conn.close()  # cancelled or failed mid-exchange: its state is unknown
            raise
        conn = await self._acquire(fresh=True)
        try:
            return await conn.exchange(method, head, body, content_length)
        except BaseException:
            conn.close()
            raise

    def take_idle(self) -> Connection | None:
        """An idle kept-alive connection right now, or None (then use ``request``).

        For callers that drive the exchange themselves (``Connection.start_relay``); they
        must end it with the relay's callbacks, which check the connection back in.
        """
        if self._closed or not self._idle:
            return None
        return self._checkout_idle()

    def stats(self) -> dict[str, int]:
        """Counts for metrics; ``in_use`` includes connections still being opened."""
        idle = len(self._idle)
        return {"open": self._open, "idle": idle, "in_use": self._open - idle,
                "waiting": self._waiting}

    async def aclose(self) -> None:
        """Close idle connections and refuse new requests; in-flight ones close on release."""
        self._closed = True
        if self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None
        self._close_idle()
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_exception(PoolClosed("connection pool closed", request_sent=False))

    # -- slots --------------------------------------------------------------------------

    async def _acquire(self, *, fresh: bool) -> Connection:
        if self._closed:
            raise PoolClosed("connection pool closed", request_sent=False)
        loop = self._loop
        if loop is None:
            loop = self._loop = asyncio.get_running_loop()
        if not fresh:
            conn = self._checkout_idle()
            if conn is not None:
                return conn
        if self._open < self._max:
            self._open += 1
            return await self._connect()
        return await self._wait_for_slot()

    def _checkout_idle(self) -> Connection | None:
        """The most recently used idle connection, unless it (and so every other) expired."""
        idle = self._idle
        if not idle:
            return None
        conn = idle.pop()
        conn.in_pool = False
        if self._loop.time() - conn.idle_since < self._idle_timeout:  # type: ignore[union-attr]
            return conn
        conn.close()
        self._close_idle()
        return None

    async def _wait_for_slot(self) -> Connection:
        loop = self._loop
        assert loop is not None
        waiter: _Waiter = loop.create_future()
        self._waiters.append(waiter)
        self._waiting += 1
        handle = None
        if self._timeouts.pool is not None:
            handle = loop.call_later(self._timeouts.pool, self._expire, waiter)
        try:
            conn = await waiter
        except asyncio.CancelledError:
            # Handed something just before the cancellation landed: pass it on.
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                granted = waiter.result()
                if granted is None:
                    self._open -= 1
                    self._grant_slot()
                else:
                    self.checkin(granted)
            raise
        finally:
            self._waiting -= 1
            if handle is not None:
                handle.cancel()
        if conn is None:
            return await self._connect()  # the slot was counted by whoever granted it
        return conn

    def _expire(self, waiter: _Waiter) -> None:
        if not waiter.done():
            waiter.set_exception(PoolTimeout(
                f"no connection to {self.origin} freed up within {self._timeouts.pool}s",
                request_sent=False,
            ))

    async def _connect(self) -> Connection:
        loop = self._loop
        assert loop is not None
        conn = Connection(loop, self._timeouts)
        try:
            async with asyncio.timeout(self._timeouts.connect):
                await loop.create_connection(
                    lambda: conn, self._host, self._port, ssl=self._ssl,
                    server_hostname=self._host if self._ssl is not None else None,
                )
        except BaseException as exc:
            self._open -= 1
            self._grant_slot()
            if isinstance(exc, TimeoutError):  # before OSError: TimeoutError is one
                raise ConnectTimeout(
                    f"connecting to {self.origin} took over {self._timeouts.connect}s",
                    request_sent=False,
                ) from None
            if isinstance(exc, OSError):
                raise ConnectError(f"cannot connect to {self.origin}: {exc}",
                                   request_sent=False) from exc
            raise
        conn.pool = self
        if conn.closed:  # lost before we could count it
            self.forget(conn)
            raise ConnectError(f"{self.origin} closed the connection at once", request_sent=False)
        return conn

    def _close_idle(self) -> None:
        idle = self._idle
        while idle:
            conn = idle.pop()
            conn.in_pool = False
            conn.close()

    def _grant_slot(self) -> None:
        """Give a freed slot to the first live waiter, if any."""
        waiters = self._waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                self._open += 1
                waiter.set_result(None)
                return

    # -- called by connections ------------------------------------------------------------

    def checkin(self, conn: Connection) -> None:
        """A connection finished an exchange cleanly and may be reused."""
        if self._closed:
            conn.close()
            return
        waiters = self._waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return
        if len(self._idle) >= self._max_idle:
            conn.close()
            return
        conn.idle_since = self._loop.time()  # type: ignore[union-attr]
        conn.in_pool = True
        self._idle.append(conn)
        if self._sweeper is None:
            self._sweeper = self._loop.call_later(  # type: ignore[union-attr]
                self._idle_timeout, self._sweep
            )

    def forget(self, conn: Connection) -> None:
        """A connection closed (either side): free its slot; drop it if it sat idle."""
        self._open -= 1
        if conn.in_pool:
            conn.in_pool = False
            self._idle.remove(conn)  # rare (upstream closed an idle one), and the deque is short
        if not self._closed:
            self._grant_slot()

    def _sweep(self) -> None:
        self._sweeper = None
        idle = self._idle
        deadline = self._loop.time() - self._idle_timeout  # type: ignore[union-attr]
        while idle and idle[0].idle_since <= deadline:
            idle[0].close()  # forget() removes it
        if idle:
            self._sweeper = self._loop.call_at(  # type: ignore[union-attr]
                idle[0].idle_since + self._idle_timeout, self._sweep
            )
