"""One request/response exchange on a client connection: the ASGI ``receive`` and ``send``.

Leaner than uvicorn's cycle where a proxy spends its time:

- the response head is held back until the first body message, so a head and a body that
  fit in one ``send`` pair leave in ONE ``transport.write`` (one syscall, one TCP segment);
- header lines are not matched one by one against regular expressions: the joined head is
  checked once for stray CR or LF (response splitting), which costs two ``bytes.count``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from strangler_proxy.limits import BODY_TIMEOUT_KEY

__all__ = ["Exchange", "STATUS_LINES"]

logger = logging.getLogger("strangler_proxy.server")


def _status_line(status: int) -> bytes:
    from http import HTTPStatus

    try:
        phrase = HTTPStatus(status).phrase.encode("ascii")
    except ValueError:
        phrase = b""
    return b"HTTP/1.1 %d %s\r\n" % (status, phrase)


STATUS_LINES = {status: _status_line(status) for status in range(100, 600)}
_NO_BODY_STATUSES = frozenset({204, 304})
_SERVER_ERROR = (b"HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/plain; charset=utf-8"
                 b"\r\ncontent-length: 21\r\nconnection: close\r\n\r\nInternal Server Error")


class Exchange:
    """State of one request: its body as it arrives, and its response as the app sends it."""

    __slots__ = (
        "body", "body_delivered", "chunked", "conn", "disconnected", "expect_100", "head", "head_request",
        "keep_alive", "left", "more_body", "response_complete", "response_started", "scope",
        "_event",
    )

    def __init__(self, conn: Any, scope: dict[str, Any], *, keep_alive: bool,
                 expect_100: bool) -> None:
        self.conn = conn  # the HttpServerProtocol: transport, flow control, completion hook
        self.scope = scope
        self.keep_alive = keep_alive
        self.expect_100 = expect_100
        self.head_request = scope["method"] == "HEAD"
        self.body = bytearray()
        self.more_body = True
        self.body_delivered = False
        self.disconnected = False
        self.response_started = False
        self.response_complete = False
        self.head: bytes | None = None  # written with the first body message
        self.chunked = False
        self.left = -1  # Content-Length still owed; -1: none (chunked, no body); -2: until close
        self._event: asyncio.Event | None = None

    # -- fed by the connection ----------------------------------------------------------------
    def wake(self) -> None:
        if self._event is not None:
            self._event.set()

    def client_gone(self) -> None:
        self.disconnected = True
        self.wake()

    def writable(self) -> None:
        """The client's transport drained: ``send`` waits on the flow control itself."""

    # -- the app's side ------------------------------------------------------------------------
    async def run(self, app: Callable[..., Any]) -> None:
        try:
            await app(self.scope, self.receive, self.send)
        except BaseException as exc:
            logger.error("exception in the ASGI application", exc_info=exc)
            if not self.response_started and not self.disconnected:
                self._abort_with_500()
            else:
                self.conn.transport.close()
            if not isinstance(exc, Exception):
                raise
        else:
            if not self.response_started and not self.disconnected:
                logger.error("the ASGI application returned without starting a response")
                self._abort_with_500()
            elif not self.response_complete and not self.disconnected:
                logger.error("the ASGI application returned without completing its response")
                self.conn.transport.close()

    def _abort_with_500(self) -> None:
        self.response_started = self.response_complete = True
        transport = self.conn.transport
        if not transport.is_closing():
            transport.write(_SERVER_ERROR)
            transport.close()

    async def receive(self) -> dict[str, Any]:
        if self.expect_100:
            self.expect_100 = False
            if not self.conn.transport.is_closing():
                self.conn.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        while not (self.disconnected or self.response_complete):
            if self.body or (not self.more_body and not self.body_delivered):
                body = bytes(self.body)
                self.body.clear()
                more = self.more_body
                if more:
                    self.conn.flow.resume_reading()
                else:
                    self.body_delivered = True  # from now on: wait for the disconnect
                return {"type": "http.request", "body": body, "more_body": more}
            if self.more_body:
                self.conn.flow.resume_reading()
            if self._event is None:
                self._event = asyncio.Event()
            if self.more_body:  # a client that stops sending its body must not hold us
                try:
                    async with asyncio.timeout(self.conn.body_timeout()):
                        await self._event.wait()
                except TimeoutError:
                    return self._body_timed_out()
            else:
                await self._event.wait()
            self._event.clear()
        return {"type": "http.disconnect"}

    def _body_timed_out(self) -> dict[str, Any]:
        self.more_body = False
        self.body_delivered = True
        self.keep_alive = False  # the rest of the body is never read: the connection ends
        self.conn.flow.pause_reading()
        return {"type": "http.disconnect", BODY_TIMEOUT_KEY: True}

    async def send(self, message: dict[str, Any]) -> None:
        conn = self.conn
        if conn.flow.write_paused and not self.disconnected:
            await conn.flow.drain()
        if self.disconnected:
            return
        kind = message["type"]
        if not self.response_started:
            if kind != "http.response.start":
                raise RuntimeError(f"expected 'http.response.start', got {kind!r}")
            self.head = self._encode_head(message["status"], message.get("headers", ()))
            self.response_started = True  # after encoding: a refused head still gets a 500
            self.expect_100 = False
            return
        if self.response_complete or kind != "http.response.body":
            raise RuntimeError(f"unexpected ASGI message {kind!r} for this response")
        body: bytes = message.get("body", b"")
        more_body: bool = message.get("more_body", False)
        out = self.head or b""
        self.head = None
        if body and not self.head_request:
            if self.chunked:
                out += b"%x\r\n%s\r\n" % (len(body), body)
            elif self.left >= 0:
                self.left -= len(body)
                if self.left < 0:
                    conn.transport.close()
                    raise RuntimeError("response body longer than its Content-Length")
                out = out + body if out else body
            elif self.left == -2:  # delimited by the connection's close
                out = out + body if out else body
        if not more_body:
            if self.chunked and not self.head_request:
                out += b"0\r\n\r\n"
            elif self.left > 0 and not self.head_request:
                conn.transport.close()
                raise RuntimeError("response body shorter than its Content-Length")
        if out:
            conn.transport.write(out)
        if not more_body:
            self.response_complete = True
            self.wake()
            if not self.keep_alive:
                conn.transport.close()
            conn.exchange_done(self)

    def _encode_head(self, status: int, headers: Any) -> bytes:
        parts = [STATUS_LINES.get(status) or _status_line(status)]
        lines = 1
        framed = close_sent = False
        for name, value in self.conn.default_headers:
            parts += (name, b": ", value, b"\r\n")
            lines += 1
        for name, value in headers:
            name = name.lower()
            if name == b"content-length":
                if not framed:
                    framed = True
                    self.left = int(value)
            elif name == b"transfer-encoding":
                if value.lower() == b"chunked" and not framed:
                    framed = self.chunked = True
            elif name == b"connection" and b"close" in value.lower():
                self.keep_alive = False
                close_sent = True
            parts += (name, b": ", value, b"\r\n")
            lines += 1
        if self.head_request or status in _NO_BODY_STATUSES or status < 200:
            self.chunked = False  # no body follows, whatever the headers say
            self.left = -1
        elif not framed and self.scope["http_version"] == "1.0":
            self.keep_alive = False  # HTTP/1.0 knows no chunked coding: the close ends it
            self.left = -2
        elif not framed:
            self.chunked = True
            parts.append(b"transfer-encoding: chunked\r\n")
            lines += 1
        if not self.keep_alive and not close_sent:
            parts.append(b"connection: close\r\n")
            lines += 1
        parts.append(b"\r\n")
        head = b"".join(parts)
        # A CR or LF inside a name or value would split the response: refuse it.
        if head.count(b"\n") != lines + 1 or head.count(b"\r") != lines + 1:
            raise RuntimeError("invalid character in a response header")
        return head
