"""One upstream HTTP/1.1 connection: an asyncio Protocol that runs one exchange at a time.

The response is parsed by httptools (llhttp, the parser uvicorn uses) straight from
``data_received``; body chunks queue in a deque that pauses the socket above ``HIGH_WATER``.
Pipelining is never used: a connection carries the next request only after the previous
response was read to its end and both sides agreed to keep the connection alive.

A response head is read only up to ``MAX_RESPONSE_HEAD`` bytes of header fields (or twice
that of a head that does not end): past it the exchange fails as a protocol error (a 502 to
the client), so a broken upstream cannot make the proxy buffer a head without end.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from httptools import HttpParserError, HttpParserUpgrade, HttpResponseParser

from .config import HIGH_WATER, LOW_WATER, Timeouts
from .errors import (
    ReadError,
    ReadTimeout,
    RemoteProtocolError,
    UpstreamError,
    WriteError,
    WriteTimeout,
)
from .response import UpstreamResponse
from .upload import send_body

if TYPE_CHECKING:
    from .pool import ConnectionPool
    from .relay import RelaySink

__all__ = ["Connection"]

# Exchange states.
_IDLE, _HEAD, _BODY, _DONE = 0, 1, 2, 3
MAX_RESPONSE_HEAD = 64 * 1024  # header field bytes; nginx refuses past 4-8 KiB by default


class Connection(asyncio.Protocol):
    """Transport callbacks, parser callbacks and the per-exchange state, in one object."""

    __slots__ = (
        "_body", "_buffered", "_drain_waiter", "_exc", "_framed", "_has_body", "_head_raw",
        "_head_request", "_head_size", "_headers", "_keep_alive", "_loop", "_parser",
        "_read_paused", "_read_timeout", "_reason", "_relay", "_reset_parser", "_rx_any",
        "_sender", "_state", "_status", "_timer", "_transport",
        "_wait_since", "_waiter", "_write_timeout", "body_sent", "closed", "idle_since", "in_pool",
        "lost_before_response", "peak_buffered", "peak_write_buffered", "pool", "requests",
        "write_paused",
    )

    def __init__(self, loop: asyncio.AbstractEventLoop, timeouts: Timeouts) -> None:
        self._loop = loop
        self._read_timeout = timeouts.read
        self._write_timeout = timeouts.write
        self.pool: ConnectionPool | None = None  # set once connected; the pool counts it then
        self._transport: asyncio.Transport | None = None
        self._parser = HttpResponseParser(self)
        self._state = _IDLE
        self.closed = False
        self.requests = 0  # exchanges completed: > 0 means the next one reuses the connection
        self.idle_since = 0.0
        self.in_pool = False
        self._exc: BaseException | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._wait_since = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self.write_paused = False
        self._drain_waiter: asyncio.Future[None] | None = None
        self._read_paused = False
        self._body: deque[bytes] = deque()
        self._buffered = 0
        self.peak_buffered = 0
        self.peak_write_buffered = 0
        self._head_request = False
        self._keep_alive = False
        self._framed = False
        self._rx_any = False
        self._reason = b""
        self._headers: list[tuple[bytes, bytes]] = []
        self._head_size = 0  # header field bytes of the response head being read
        self._head_raw = 0  # bytes of chunks that began and ended inside that head
        self._sender: asyncio.Task[None] | None = None
        self._relay: RelaySink | None = None  # set while a relay (callback) exchange runs
        self.body_sent = True
        self._reset_parser = False
        self.lost_before_response = False
        self._status = 0
        self._has_body = False

    # -- sending ------------------------------------------------------------------------

    async def exchange(
        self,
        method: bytes,
        head: bytes,
        body: bytes | AsyncIterator[bytes] | None,
        content_length: int | None,
    ) -> UpstreamResponse:
        """Send one request and wait for the final response head (1xx are skipped)."""
        if self._reset_parser:
            # After a HEAD the parser still expects the advertised body: start afresh.
            self._parser = HttpResponseParser(self)
            self._reset_parser = False
        if self.closed:
            # Lost between check-out and now: report it like the stale race it is.
            self.lost_before_response = True
            raise RemoteProtocolError("upstream closed the pooled connection", request_sent=False)
        self._state = _HEAD
        self._head_request = method == b"HEAD"
        self._rx_any = False
        self.body_sent = True
        self.peak_buffered = 0
        self.peak_write_buffered = 0
        transport = self._transport
        assert transport is not None
        if body is None:
            transport.write(head)
        elif isinstance(body, bytes):
            # One write (one syscall) for small bodies; big ones are not copied into the head.
            if len(body) <= 65536:
                transport.write(head + body)
            else:
                transport.write(head)
                transport.write(body)
        else:
            transport.write(head)
            self.body_sent = False
            self._sender = self._loop.create_task(send_body(self, transport, body, content_length))
        while self._state == _HEAD:
            if self._exc is not None:
                raise self._exc
            await self._wait()
        return UpstreamResponse(
            self, self._status, self._reason, self._parser.get_http_version(), self._headers,
            self._has_body,
        )

    def start_relay(self, head: bytes, sink: RelaySink, *, head_request: bool) -> bool:
        """Send a bodyless request and hand the response to ``sink``'s callbacks, no task.

        The sink gets ``relay_head`` once, ``relay_body`` per chunk, then exactly one of
        ``relay_done`` (the connection is back in the pool by then) or ``relay_failed``.
        False (nothing sent) when the connection was lost while idle: use another one.
        """
        if self._reset_parser:
            self._parser = HttpResponseParser(self)
            self._reset_parser = False
        transport = self._transport
        if self.closed or transport is None or transport.is_closing():
            self.close()
            return False
        self._state = _HEAD
        self._head_request = head_request
        self._rx_any = False
        self.body_sent = True
        self._relay = sink
        transport.write(head)
        if self._read_timeout is not None:
            now = self._loop.time()
            self._wait_since = now
            if self._timer is None:
                self._timer = self._loop.call_at(now + self._read_timeout, self._on_read_timer)
        return True

    def abandon(self) -> None:
        """The relay's client went away mid-exchange: drop the connection, report nothing."""
        self._relay = None
        self.close()

    def pause_reading(self) -> None:
        """The relay's client cannot take more: stop reading the upstream (back-pressure)."""
        if not self._read_paused and self._transport is not None and not self.closed:
            self._read_paused = True
            self._transport.pause_reading()

    def resume_reading(self) -> None:
        if self._read_paused and self._transport is not None and not self.closed:
            self._read_paused = False
            now = self._wait_since = self._loop.time()  # the read timeout counts from now
            if self._timer is None and self._read_timeout is not None:
                self._timer = self._loop.call_at(now + self._read_timeout, self._on_read_timer)
            self._transport.resume_reading()

    @property
    def answered(self) -> bool:
        """The whole response arrived (maybe before the request body was all sent)."""
        return self._state == _DONE

    async def drain(self) -> None:
        """Wait until the transport's write buffer drained below its low-water mark."""
        fut = self._loop.create_future()
        self._drain_waiter = fut
        handle = None
        if self._write_timeout is not None:
            handle = self._loop.call_later(self._write_timeout, self._on_write_timeout, fut)
        try:
            await fut
        finally:
            self._drain_waiter = None
            if handle is not None:
                handle.cancel()

    def _on_write_timeout(self, fut: asyncio.Future[None]) -> None:
        if not fut.done():
            self.fail(WriteTimeout(
                f"upstream read none of the request body for {self._write_timeout}s",
                request_sent=True,
            ))

    # -- receiving ----------------------------------------------------------------------

    async def _wait(self) -> None:
        """Wait for the next received bytes; the read timeout counts from the start of the wait."""
        fut = self._loop.create_future()
        self._waiter = fut
        timeout = self._read_timeout
        if timeout is not None:
            now = self._loop.time()
            self._wait_since = now
            # One lazily re-armed timer per connection instead of a timer per wait.
            if self._timer is None:
                self._timer = self._loop.call_at(now + timeout, self._on_read_timer)
        await fut

    def _on_read_timer(self) -> None:
        self._timer = None
        if (self._waiter is None and (self._relay is None or self._read_paused)) or self.closed:
            return
        assert self._read_timeout is not None
        deadline = self._wait_since + self._read_timeout
        if self._loop.time() >= deadline:
            self.fail(ReadTimeout(
                f"no data from upstream for {self._read_timeout}s", request_sent=True
            ))
        else:
            self._timer = self._loop.call_at(deadline, self._on_read_timer)

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def next_chunk(self) -> bytes | None:
        """A body chunk, ``b""`` at the end, or ``None`` when the caller must ``wait_body()``."""
        body = self._body
        if body:
            chunk = body.popleft()
            self._buffered -= len(chunk)
            if self._read_paused and self._buffered <= LOW_WATER and not self.closed:
                self._read_paused = False
                assert self._transport is not None
                self._transport.resume_reading()
            return chunk
        if self._state == _DONE:
            return b""
        if self._exc is not None:
            raise self._exc
        return None

    async def wait_body(self) -> None:
        await self._wait()

    # -- releasing ----------------------------------------------------------------------

    def finish(self) -> None:
        """End the exchange: back to the pool when fully read and kept alive, else closed."""
        sender = self._sender
        if sender is not None:
            self._sender = None
            if not sender.done():
                sender.cancel()
        if (self._state != _DONE or not self._keep_alive or not self.body_sent
                or self._exc is not None or self.closed):
            self.close()
            return
        self._state = _IDLE
        self.requests += 1
        if self._body:
            self._body.clear()  # the caller stopped reading early; all bytes did arrive
            self._buffered = 0
        if self._read_paused:
            self._read_paused = False
            assert self._transport is not None
            self._transport.resume_reading()
        pool = self.pool
        assert pool is not None
        pool.checkin(self)

    def close(self) -> None:
        """Drop the connection now; the pool frees its slot at once."""
        sender = self._sender
        if sender is not None and not sender.done() and sender is not asyncio.current_task():
            sender.cancel()  # it may be parked in the caller's body iterator
        self._gone()
        if self._transport is not None:
            self._transport.abort()

    def _gone(self) -> None:
        if not self.closed:
            self.closed = True
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self.pool is not None:
                self.pool.forget(self)

    def fail(self, exc: BaseException) -> None:
        """Record the exchange's failure, drop the connection and wake whoever waits."""
        if self._exc is None:
            self._exc = exc
        self._keep_alive = False
        self.close()
        self._wake()
        self._relay_failed()
        drain = self._drain_waiter
        if drain is not None and not drain.done():
            drain.set_result(None)

    # -- transport callbacks ------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        state = self._state
        if state == _BODY and not self._framed and exc is None and not self.closed:
            self._state = _DONE  # a body delimited by the close has ended
            self._keep_alive = False
        elif (state == _HEAD or state == _BODY) and self._exc is None:
            self._exc = self._lost_error(state, exc)
        self._gone()
        self._wake()
        drain = self._drain_waiter
        if drain is not None and not drain.done():
            drain.set_result(None)
        if self._relay is not None:
            if self._state == _DONE:
                self._relay_finish()  # a close-delimited body just ended
            else:
                self._relay_failed()

    def _relay_failed(self) -> None:
        sink = self._relay
        if sink is not None:
            self._relay = None
            exc = self._exc
            if not isinstance(exc, UpstreamError):
                exc = RemoteProtocolError("upstream connection lost", request_sent=True)
            sink.relay_failed(exc, self)

    def _relay_finish(self) -> None:
        sink = self._relay
        assert sink is not None
        self._relay = None
        self.finish()  # back to the pool (or closed) before the sink may reuse the pool
        sink.relay_done()

    def _lost_error(self, state: int, exc: Exception | None) -> UpstreamError:
        reason = f": {exc}" if exc is not None else ""
        if state == _BODY:
            return ReadError(f"upstream closed the connection mid-body{reason}", request_sent=True)
        if not self._rx_any:
            self.lost_before_response = True
        if not self.body_sent:
            return WriteError(
                f"upstream closed the connection while the request was sent{reason}",
                request_sent=True,
            )
        if self._rx_any:
            return ReadError(
                f"upstream closed the connection inside the response head{reason}",
                request_sent=True,
            )
        return RemoteProtocolError(
            f"upstream closed the connection without sending a response{reason}",
            request_sent=True,
        )

    def eof_received(self) -> bool | None:
        return None  # close our side too; connection_lost follows

    def pause_writing(self) -> None:
        self.write_paused = True

    def resume_writing(self) -> None:
        self.write_paused = False
        drain = self._drain_waiter
        if drain is not None and not drain.done():
            drain.set_result(None)

    def data_received(self, data: bytes) -> None:
        state = self._state
        if state != _HEAD and state != _BODY:
            # Bytes nobody asked for: the framing can no longer be trusted.
            self._keep_alive = False
            if state == _IDLE:
                self.close()
            return
        self._rx_any = True
        try:
            self._parser.feed_data(data)
            if self._state == _HEAD:
                if self._head_size > MAX_RESPONSE_HEAD:
                    raise HttpParserError(f"response head over {MAX_RESPONSE_HEAD} bytes")
                if state == _HEAD:  # all of this chunk was head, a field still unfinished
                    self._head_raw += len(data)
                    if self._head_raw > 2 * MAX_RESPONSE_HEAD:
                        raise HttpParserError(f"response head over {MAX_RESPONSE_HEAD} bytes "
                                              "that does not end")
        except HttpParserUpgrade:
            self.fail(RemoteProtocolError(
                "upstream switched protocols (101) without being asked", request_sent=True
            ))
            return
        except HttpParserError as exc:
            self.fail(RemoteProtocolError(f"malformed response: {exc}", request_sent=True))
            return
        sink = self._relay
        if sink is not None:
            if self._state == _DONE:
                self._relay_finish()
            else:
                self._wait_since = self._loop.time()
                sink.relay_flush()

    # -- parser callbacks (httptools) -----------------------------------------------------

    def on_message_begin(self) -> None:
        self._headers = []
        self._reason = b""
        self._framed = False
        self._head_size = self._head_raw = 0

    def on_status(self, status: bytes) -> None:
        self._reason += status

    def on_header(self, name: bytes, value: bytes) -> None:
        if self._state != _HEAD:
            return  # chunked trailers: ignored, never merged into the forwarded head
        self._head_size += len(name) + len(value) + 4
        if self._head_size > MAX_RESPONSE_HEAD:
            return  # too large: data_received fails the exchange once the parser returns
        self._headers.append((name, value))
        size = len(name)
        if size == 14 or size == 17:
            lower = name.lower()
            if lower == b"content-length" or (
                lower == b"transfer-encoding" and value.rstrip().lower().endswith(b"chunked")
            ):
                self._framed = True

    def on_headers_complete(self) -> None:
        if self._head_size > MAX_RESPONSE_HEAD:
            return  # stays in _HEAD: data_received fails it, nothing reaches the client
        parser = self._parser
        status = parser.get_status_code()
        if status < 200:
            return  # 100 Continue, 103 Early Hints: skipped (101 raises HttpParserUpgrade)
        self._status = status
        self._keep_alive = parser.should_keep_alive()
        if self._head_request or status == 204 or status == 304:
            # No body follows, whatever the framing says: llhttp's "close-delimited" verdict
            # for an unframed HEAD response does not apply, so keep-alive is the version's.
            self._keep_alive = parser.get_http_version() == "1.1" and not any(
                name.lower() == b"connection" and b"close" in value.lower()
                for name, value in self._headers)
            self._has_body = False
            self._state = _DONE
            if self._head_request:
                self._reset_parser = True
        else:
            self._has_body = True
            self._state = _BODY
        if self._relay is not None:
            self._relay.relay_head(status, self._reason, self._headers, self._has_body)
        elif self._waiter is not None:  # a relay has no waiter
            self._wake()

    def on_body(self, body: bytes) -> None:
        if self._state != _BODY:
            self._keep_alive = False  # a body after HEAD/204/304: do not reuse
            return
        if self._relay is not None:
            self._relay.relay_body(body)
            return
        self._body.append(body)
        buffered = self._buffered + len(body)
        self._buffered = buffered
        if buffered > self.peak_buffered:
            self.peak_buffered = buffered
        if buffered > HIGH_WATER and not self._read_paused:
            self._read_paused = True
            assert self._transport is not None
            self._transport.pause_reading()
        self._wake()

    def on_message_complete(self) -> None:
        if self._state == _BODY:
            self._state = _DONE
            self._wake()
