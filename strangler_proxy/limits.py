"""Request limits and the request body stream: what the proxy refuses before forwarding.

- an HTTP/1.1 request without exactly one Host field -> 400 (HTTP/1.0: at most one);
- CONNECT -> 405 and any target that is not origin-form (``http://host/...``, ``*``) -> 400:
  the proxy only ever talks to the upstreams its table names (no open proxy);
- a header block over ``max_header_bytes`` -> 431, a request target over it -> 414; the
  server protocol stops reading such a head as soon as it passes the limit
  (``HEAD_REFUSED_KEY``), so no client can make a connection buffer a head without end;
- a connection opened while the worker holds ``max_client_connections`` others -> its first
  request gets 503 and the connection closes, so a flood of connections cannot take the
  file descriptors the upstream connections need;
- a body whose bytes stop coming for ``client_body_timeout`` seconds -> 408, so a slow
  client cannot hold an upstream connection for ever;
- a body over ``max_body_bytes`` -> 413, from ``Content-Length`` before anything is sent, or
  counted while streaming for chunked uploads (then the upstream request is abandoned).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from strangler_proxy.errors import (
    BadRequest,
    ClientGone,
    HeadersTooLarge,
    MethodNotAllowed,
    PayloadTooLarge,
    RequestTimeout,
    TargetTooLong,
    TooManyConnections,
)

__all__ = ["BODY_TIMEOUT_KEY", "DEFAULT_BODY_TIMEOUT", "DEFAULT_HEAD_LIMIT", "DEFAULT_SEND_TIMEOUT",
           "HEAD_REFUSED_KEY", "RequestBody", "check_headers", "check_host",
           "check_refused_head", "check_target", "read_body"]

# Set in the ASGI scope by strangler_proxy.server when it stopped reading a head that passed
# the limit: "target" (the request target alone) or "headers". The scope then holds only the
# part of the head read so far. "connections": the request came on a connection opened past
# the app's ``max_client_connections``; it is answered 503 and the connection closed.
HEAD_REFUSED_KEY = "strangler.head_refused"
# The server's cap on a head when the app declares no limit of its own (max_header_bytes = 0).
DEFAULT_HEAD_LIMIT = 1024 * 1024
# Set (true) in the ``http.disconnect`` message the server gives when no byte of a request
# body came for the app's ``client_body_timeout`` (else DEFAULT_BODY_TIMEOUT) seconds: the
# request is answered 408 instead of being counted as a client gone.
BODY_TIMEOUT_KEY = "strangler.body_timeout"
DEFAULT_BODY_TIMEOUT = 60.0
# Seconds a client may read nothing of its response while more waits for it (the app's
# ``client_send_timeout`` when it has one): then the server cuts the connection.
DEFAULT_SEND_TIMEOUT = 60.0

Receive = Any


def check_host(hosts: int, http_version: str) -> None:
    """RFC 9112 section 3.2: an HTTP/1.1 request carries exactly one Host field (1.0 may
    carry none); two could route on one host and reach an application that reads the other."""
    if hosts > 1 or (hosts == 0 and http_version != "1.0"):
        raise BadRequest(f"a request needs exactly one Host header; this one has {hosts}")


def check_target(method: str, raw_path: bytes) -> None:
    if method == "CONNECT":
        raise MethodNotAllowed("CONNECT is refused: this is a reverse proxy, not an open proxy")
    if not raw_path.startswith(b"/"):
        raise BadRequest("absolute-form and asterisk-form targets are refused: send a path")


def check_refused_head(refused: str | None, limit: int, connections: int = 0) -> None:
    """The server's verdict on a head it stopped reading (``HEAD_REFUSED_KEY``), if any."""
    if refused == "connections":
        raise TooManyConnections(
            f"this worker holds its limit of {connections} client connections; retry shortly")
    if refused == "target":
        raise TargetTooLong(f"the request target is over the {limit}-byte limit")
    if refused is not None:
        raise HeadersTooLarge(f"the request headers are over the {limit}-byte limit")


def check_headers(header_bytes: int, limit: int) -> None:
    if limit and header_bytes > limit:
        raise HeadersTooLarge(f"request headers are {header_bytes} bytes; the limit is {limit}")


class RequestBody:
    """The client's body as an async iterator for the upstream client, counted as it streams.

    ``first`` is the chunk already received; ``replayable`` stays True until a chunk beyond
    it has been pulled, which is what decides whether a failed attempt may be retried.
    """

    def __init__(self, receive: Receive, first: bytes, limit: int) -> None:
        self._receive = receive
        self._first = first
        self._limit = limit
        self.received = len(first)
        self.replayable = True
        self.complete = False

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[bytes]:
        if self._first:
            yield self._first
        self.replayable = False
        while True:
            message = await self._receive()
            if message["type"] == "http.disconnect":
                raise _gone(message, "while sending the body")
            chunk = message.get("body", b"")
            self.received += len(chunk)
            if self._limit and self.received > self._limit:
                raise PayloadTooLarge(f"request body exceeds {self._limit} bytes")
            more = message.get("more_body", False)
            if not more:
                self.complete = True
            if chunk:
                yield chunk
            if not more:
                return


async def read_body(receive: Receive, *, content_length: int | None, chunked: bool,
                    limit: int) -> bytes | RequestBody | None:
    """None (no body), the whole body when it came in one message, or a ``RequestBody``."""
    if content_length is None and not chunked:
        return None
    if limit and content_length is not None and content_length > limit:
        raise PayloadTooLarge(f"Content-Length {content_length} exceeds {limit} bytes")
    message = await receive()
    if message["type"] == "http.disconnect":
        raise _gone(message, "before sending the body")
    first = message.get("body", b"")
    if limit and len(first) > limit:
        raise PayloadTooLarge(f"request body exceeds {limit} bytes")
    if not message.get("more_body", False):
        return first
    return RequestBody(receive, first, limit)


def _gone(message: dict[str, Any], when: str) -> RequestTimeout | ClientGone:
    if message.get(BODY_TIMEOUT_KEY):
        return RequestTimeout(f"no byte of the request body came for too long ({when})")
    return ClientGone(f"client disconnected {when}")
