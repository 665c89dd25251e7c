"""The proxy's HTTP/1.1 server protocol: uvicorn runs the server, this speaks HTTP on each socket.

``uvicorn.run(..., http=HttpServerProtocol)``: uvicorn still owns the sockets, worker processes,
signals, lifespan and graceful shutdown; this class replaces its httptools protocol with one
that does less per request (see ``exchange``) and keeps what the proxy relies on:

- an absolute-form or authority-form target (``GET http://elsewhere/``, ``CONNECT host:443``)
  reaches the app as sent, so the app refuses it (no open proxy), where uvicorn keeps only
  the path;
- keep-alive with an idle timeout (which also bounds the time a head may take to arrive,
  from its first byte), pipelined requests answered in order (one at a time; past
  ``MAX_PIPELINED`` queued at once, the connection ends after the last queued answer),
  ``Expect: 100-continue``, flow control both ways, ``Connection: close`` and HTTP/1.0;
- a request the parser rejects gets a 400 and the connection is closed; an upgrade request
  (websocket) is served as plain HTTP and the connection closed after it (not proxied);
- a client that reads nothing of its response for the app's ``client_send_timeout`` (else
  ``limits.DEFAULT_SEND_TIMEOUT``) while writes are paused is cut off, which ends the
  exchange as a client gone and lets its upstream connection go;
- a request body that stops coming for the app's ``client_body_timeout`` (else
  ``limits.DEFAULT_BODY_TIMEOUT``) ends in an ``http.disconnect`` carrying
  ``BODY_TIMEOUT_KEY``, which the proxy answers with 408, and the connection closes;
- a connection opened while the app's ``max_client_connections`` others are open gets its
  first request answered 503 (through the app, ``HEAD_REFUSED_KEY`` = "connections"; in plain
  text for an app without the attribute) and is closed;
- a head is read only up to a limit: the app's ``max_head_bytes`` when it has one, else
  ``limits.DEFAULT_HEAD_LIMIT``. A target or a header block past it, or a head whose bytes
  reach twice the limit without ending (one header that never ends), stops being read and
  the connection closes after the answer: an app with ``max_head_bytes`` gets what was read
  with ``HEAD_REFUSED_KEY`` set in the scope and answers 414 or 431 itself (the proxy's
  JSON error with a request id); for any other app this protocol answers them in plain
  text. So no client can make a connection buffer a head without end.
"""

from __future__ import annotations

import asyncio
import logging
import re
import urllib.parse
from collections import deque
from typing import Any

import httptools

from strangler_proxy.limits import (
    DEFAULT_BODY_TIMEOUT,
    DEFAULT_HEAD_LIMIT,
    DEFAULT_SEND_TIMEOUT,
    HEAD_REFUSED_KEY,
)
from strangler_proxy.server.exchange import Exchange
from strangler_proxy.server.flow import FlowControl

__all__ = ["HttpServerProtocol", "split_target"]

logger = logging.getLogger("strangler_proxy.server")
_ASGI = {"version": "3.0", "spec_version": "2.3"}  # shared: no app writes to it
_HIGH_WATER = 64 * 1024  # request body bytes buffered before reading pauses
# Requests parsed ahead of their turn. Reading pauses at the first, but the rest of the chunk
# in hand is parsed too: past this many the connection is answered up to here and closed,
# so pipelining cannot queue thousands of requests per connection.
MAX_PIPELINED = 32
# Not `b"?" in url`: on Python 3.11 that builds and clears a TypeError first (see http1.wire).
_QUERY_OR_FRAGMENT = re.compile(rb"[?#]")
_BAD_REQUEST = (b"HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain; charset=utf-8\r\n"
                b"content-length: %d\r\nconnection: close\r\n\r\n%s")
_REFUSED = (b"HTTP/1.1 %s\r\ncontent-type: text/plain; charset=utf-8\r\n"
            b"content-length: %d\r\nconnection: close\r\n\r\n%s")


def split_target(url: bytes) -> tuple[bytes, bytes]:
    """An origin-form target's raw path and query string (a fragment is dropped)."""
    if _QUERY_OR_FRAGMENT.search(url) is None:
        return url, b""  # the common case: the target is the path (the parser checked its bytes)
    parsed = httptools.parse_url(url)
    return parsed.path, parsed.query or b""


class HttpServerProtocol(asyncio.Protocol):
    """One client connection; created by uvicorn's server with its config and shared state."""

    def __init__(self, config: Any, server_state: Any, app_state: dict[str, Any],
                 _loop: asyncio.AbstractEventLoop | None = None) -> None:
        if not config.loaded:
            config.load()
        self.config = config
        self.app = config.loaded_app
        self.loop = _loop or asyncio.get_event_loop()
        self.server_state = server_state
        self.connections: set[Any] = server_state.connections
        self.tasks: set[asyncio.Task[None]] = server_state.tasks
        self.app_state = app_state
        self.keep_alive_timeout: float = config.timeout_keep_alive
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport = None  # type: ignore[assignment]
        self.flow: FlowControl = None  # type: ignore[assignment]
        self.client: tuple[str, int] | None = None
        self.server: tuple[str, int] | None = None
        self.scheme = "http"
        self.exchange: Exchange | None = None  # the one being answered
        self.pipeline: deque[Exchange] = deque()  # parsed, waiting for their turn
        self._url = b""
        self._headers: list[tuple[bytes, bytes]] = []
        self._expect_100 = False
        # The head being read: its size against the limit (see the module's docstring).
        self._in_head = False
        self._head_size = 0  # target and complete header fields, counted as the app counts
        self._head_raw = 0  # bytes of chunks that began and ended inside this head
        self._head_limit = DEFAULT_HEAD_LIMIT
        self._head_since = 0.0  # loop time of the head's first byte
        # "target", "headers", "pipeline", "connections": nothing more is read
        self._refused: str | None = None
        self._over_limit = False  # opened past the app's max_client_connections
        self._reading: Exchange | None = None  # the request whose body is being parsed
        self._idle_timer: asyncio.TimerHandle | None = None
        self._send_timer: asyncio.TimerHandle | None = None  # armed while writes are paused
        self._idle_since: float | None = None  # None: busy (a request is being read or served)
        # An app may serve some requests without ASGI (strangler_proxy.relay.FastPath):
        # ``fast_path.start(protocol, target, method, version, headers, keep_alive)`` returns
        # an exchange of its own, or None, or a dict of entries for the ASGI scope.
        self._fast = getattr(getattr(self.app, "fast_path", None), "start", None)
        # An app with a head limit of its own also answers the heads refused for passing it.
        self._app_answers_refusals = hasattr(self.app, "max_head_bytes")

    def send_timeout(self) -> float:
        """Seconds the client may read nothing while we have more to write for it."""
        timeout: float = getattr(self.app, "client_send_timeout", DEFAULT_SEND_TIMEOUT)
        return timeout

    def body_timeout(self) -> float:
        """Seconds a request body may go without a byte: the app's ``client_body_timeout``."""
        timeout: float = getattr(self.app, "client_body_timeout", DEFAULT_BODY_TIMEOUT)
        return timeout

    @property
    def default_headers(self) -> list[tuple[bytes, bytes]]:
        """uvicorn's Server/Date headers as of now: uvicorn replaces the list every second, so
        a kept-alive connection must not hold on to the one it started with."""
        return self.server_state.default_headers

    # -- transport callbacks -------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.connections.add(self)
        limit = getattr(self.app, "max_client_connections", 0)
        if limit and len(self.connections) > limit:
            # Its first request is answered 503 and the connection closed: a flood of
            # connections cannot take the file descriptors upstream connections need.
            self._over_limit = True
        self.transport = transport  # type: ignore[assignment]
        self.flow = FlowControl(self.transport)
        peer = transport.get_extra_info("peername")
        local = transport.get_extra_info("sockname")
        if isinstance(peer, tuple) and len(peer) >= 2:
            self.client = (str(peer[0]), int(peer[1]))
        if isinstance(local, tuple) and len(local) >= 2:
            self.server = (str(local[0]), int(local[1]))
        if transport.get_extra_info("sslcontext"):
            self.scheme = "https"
        self._arm_idle_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self.connections.discard(self)
        self._stop_idle_timer()
        self._stop_send_timer()
        for exchange in (self.exchange, *self.pipeline):
            if exchange is not None and not exchange.response_complete:
                exchange.client_gone()
        self.pipeline.clear()
        if self.flow is not None:
            self.flow.resume_writing()

    def eof_received(self) -> bool | None:
        return None  # close our side too once the transport is done

    def data_received(self, data: bytes) -> None:
        if self._refused is not None:
            return  # a refused head: the rest is read and dropped until the answer closes us
        self._cancel_idle_timer()
        unfinished = self._in_head
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            # Served as plain HTTP (hop-by-hop Upgrade is not forwarded); what follows the
            # head is not HTTP we can read, so the connection ends after this response.
            if self._reading is not None:
                self._reading.more_body = False
                self._reading.wake()
            for exchange in (self._reading, self.exchange, *self.pipeline):
                if exchange is not None:
                    exchange.keep_alive = False
            self.flow.pause_reading()
        except httptools.HttpParserError as exc:
            logger.debug("invalid HTTP request: %s", exc)
            self._bad_request(b"Invalid HTTP request received.")
            return
        if unfinished and self._in_head and self._refused is None:
            # All of this chunk belongs to a head begun earlier, including a field the
            # parser holds until it ends: a field that never ends is stopped here.
            self._head_raw += len(data)
            if self._head_raw > 2 * self._head_limit:
                self._refuse("headers")
        if self.exchange is None and not self.transport.is_closing():
            # A head still arriving counts from its first chunk, so trickling it byte by byte
            # does not hold the connection open (slowloris): it must end within the timeout.
            self._arm_idle_timer(self._head_since if self._in_head else None)

    def pause_writing(self) -> None:
        self.flow.pause_writing()
        if self._send_timer is None:
            self._send_timer = self.loop.call_later(self.send_timeout(), self._send_stalled)

    def resume_writing(self) -> None:
        self._stop_send_timer()
        self.flow.resume_writing()
        if self.exchange is not None:
            self.exchange.writable()

    def _send_stalled(self) -> None:
        """The client read nothing for the send timeout: the exchange ends as a client gone,
        which lets its upstream connection go."""
        self._send_timer = None
        logger.info("client %s read nothing for %gs: connection closed", self.client,
                    self.send_timeout())
        self.transport.abort()

    def _stop_send_timer(self) -> None:
        if self._send_timer is not None:
            self._send_timer.cancel()
            self._send_timer = None

    # -- parser callbacks ----------------------------------------------------------------------
    def on_message_begin(self) -> None:
        self._url = b""
        self._headers = []
        self._expect_100 = False
        self._in_head = True
        self._head_since = self.loop.time()
        self._head_size = self._head_raw = 0
        self._head_limit = getattr(self.app, "max_head_bytes", 0) or DEFAULT_HEAD_LIMIT

    def on_url(self, url: bytes) -> None:
        self._url += url
        if len(self._url) > self._head_limit and self._refused is None:
            self._refuse("target")

    def on_header(self, name: bytes, value: bytes) -> None:
        if self._refused is not None:
            return
        self._head_size += len(name) + len(value) + 4  # as PreparedRequest.header_bytes counts
        if self._head_size > self._head_limit:
            self._refuse("headers")
            return
        name = name.lower()
        if name == b"expect" and value.lower() == b"100-continue":
            self._expect_100 = True
        self._headers.append((name, value))

    def on_headers_complete(self) -> None:
        self._in_head = False
        if self._refused is not None:
            return
        if self._over_limit:
            self._refuse("connections")
            return
        parser = self.parser
        version = parser.get_http_version()
        method = parser.get_method().decode("ascii")
        keep_alive = version != "1.0" and parser.should_keep_alive()
        reused = None
        if self.exchange is None and self._fast is not None:
            # No ASGI scope yet: building one is ~5 % of a relayed request's instructions.
            relay = self._fast(self, self._url, method, version, self._headers, keep_alive)
            if type(relay) is dict:
                reused = relay  # declined, with work the ASGI path can reuse
            elif relay is not None:  # bodyless: nothing more of this request to read
                self.exchange = relay
                self._reading = None
                return
        scope = self.build_scope(self._url, version, method, self._headers)
        if reused:
            scope.update(reused)
        exchange = Exchange(self, scope, keep_alive=keep_alive, expect_100=self._expect_100)
        self._reading = exchange
        self._queue(exchange)

    def build_scope(self, url: bytes, version: str, method: str,
                    headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
        """The ASGI scope of a request whose head this connection read."""
        if url.startswith(b"/"):
            raw_path, query = split_target(url)
        else:  # absolute or authority form: kept as sent for the app to refuse
            raw_path, _, query = url.partition(b"?")
        path = raw_path.decode("latin-1")
        if "%" in path:
            path = urllib.parse.unquote(path)
        return {
            "type": "http",
            "asgi": _ASGI,
            "http_version": version,
            "server": self.server,
            "client": self.client,
            "scheme": self.scheme,
            "root_path": "",
            "method": method,
            "path": path,
            "raw_path": raw_path,
            "query_string": query,
            "headers": headers,
            "state": self.app_state.copy() if self.app_state else {},
        }

    def _queue(self, exchange: Exchange) -> None:
        if self.exchange is None:
            self._start(exchange)
        elif len(self.pipeline) < MAX_PIPELINED:  # answered in order; reading waits till then
            self.pipeline.append(exchange)
            self.flow.pause_reading()
        else:  # this one and all after it go unread and unanswered
            self._refused = "pipeline"
            self._reading = None
            self._end_after_queued()

    def _end_after_queued(self) -> None:
        """The last answer queued on this connection closes it."""
        last = self.pipeline[-1] if self.pipeline else self.exchange
        if last is not None:
            last.keep_alive = False

    def _refuse(self, part: str) -> None:
        """Stop reading a head past the limit: the app answers it (414/431) with what was read,
        then the connection closes. Later bytes are dropped, not parsed."""
        self._refused = part
        self._reading = None
        if not self._app_answers_refusals:
            self._refuse_plainly(part)
            return
        parser = self.parser
        try:
            method = parser.get_method().decode("ascii")
            version = parser.get_http_version() or "1.1"
        except httptools.HttpParserError:  # not parsed yet: the answer does not depend on it
            method, version = "GET", "1.1"
        scope = self.build_scope(self._url[:self._head_limit] or b"/", version, method,
                                 self._headers)
        scope[HEAD_REFUSED_KEY] = part
        exchange = Exchange(self, scope, keep_alive=False, expect_100=False)
        exchange.more_body = False
        self._queue(exchange)

    def on_body(self, body: bytes) -> None:
        exchange = self._reading
        if exchange is None or exchange.response_complete:
            return
        exchange.body += body
        if len(exchange.body) > _HIGH_WATER:
            self.flow.pause_reading()
        exchange.wake()

    def on_message_complete(self) -> None:
        exchange = self._reading
        if exchange is None:
            return
        exchange.more_body = False
        exchange.wake()

    # -- exchanges -----------------------------------------------------------------------------
    def _start(self, exchange: Exchange) -> None:
        self.exchange = exchange
        task = self.loop.create_task(exchange.run(self.app))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def fall_through(self, relay: Any) -> None:
        """A relay that could not be served on the fast path: serve it on the ASGI path."""
        exchange = Exchange(self, relay.asgi_scope(), keep_alive=relay.keep_alive,
                            expect_100=False)
        exchange.more_body = False  # relays carry no body
        self._start(exchange)

    def exchange_done(self, exchange: Any) -> None:
        """Called by the exchange once its response's last byte was written."""
        self.server_state.total_requests += 1
        if exchange is not self.exchange:
            return
        self.exchange = None
        if self.transport.is_closing():
            return
        if self.pipeline:
            self._start(self.pipeline.popleft())
            if not self.pipeline:
                self.flow.resume_reading()
        else:
            self.flow.resume_reading()
            self._arm_idle_timer()

    def shutdown(self) -> None:
        """uvicorn's graceful shutdown: close idle connections, end busy ones after this reply."""
        if self.exchange is None:
            self.transport.close()
        else:
            self.exchange.keep_alive = False
            for waiting in self.pipeline:
                waiting.keep_alive = False

    def _refuse_plainly(self, part: str) -> None:
        """An app that knows nothing of head limits: the answer comes from here (after the
        requests before this one, which then end the connection)."""
        if self.exchange is not None:
            self._end_after_queued()  # the refused request gets the connection's end
            self.flow.pause_reading()
            return
        if part == "connections":
            status, message = b"503 Service Unavailable", b"Too many client connections."
        elif part == "target":
            status, message = b"414 URI Too Long", b"Request target too large."
        else:
            status, message = b"431 Request Header Fields Too Large", b"Request headers too large."
        self.transport.write(_REFUSED % (status, len(message), message))
        self.transport.close()

    def _bad_request(self, message: bytes) -> None:
        if self.exchange is None or not self.exchange.response_started:
            self.transport.write(_BAD_REQUEST % (len(message), message))
        self.transport.close()

    # One lazily re-armed timer per connection, not a timer per request: when it fires
    # early (the connection was busy meanwhile) it re-arms for the remaining time.
    def _arm_idle_timer(self, since: float | None = None) -> None:
        """Idle from ``since`` (default: now) on."""
        self._idle_since = since = self.loop.time() if since is None else since
        if self._idle_timer is None:
            self._idle_timer = self.loop.call_at(since + self.keep_alive_timeout,
                                                 self._idle_timeout)

    def _cancel_idle_timer(self) -> None:
        self._idle_since = None

    def _stop_idle_timer(self) -> None:
        self._idle_since = None
        if self._idle_timer is not None:
            self._idle_timer.cancel()
            self._idle_timer = None

    def _idle_timeout(self) -> None:
        self._idle_timer = None
        since = self._idle_since
        if since is None or self.transport.is_closing():
            if not self.transport.is_closing():  # busy: look again a full period later
                self._idle_timer = self.loop.call_later(self.keep_alive_timeout,
                                                        self._idle_timeout)
            return
        deadline = since + self.keep_alive_timeout
        if self.loop.time() >= deadline and self.exchange is None:
            self.transport.close()
        else:
            self._idle_timer = self.loop.call_at(deadline, self._idle_timeout)
