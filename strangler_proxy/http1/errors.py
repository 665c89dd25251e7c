"""Exceptions raised by the upstream HTTP/1.1 client.

Every failure the client can report is an ``UpstreamError``; the proxy maps the tree to a status
code in one place (timeouts to 504, the rest to 502). ``request_sent`` tells the caller whether a
retry is safe: it is ``False`` only when no byte of the request was handed to the network::

    UpstreamError                 request_sent: bool
    ├── UpstreamTimeout
    │   ├── ConnectTimeout        request_sent False
    │   ├── PoolTimeout           request_sent False  (no connection freed up in time)
    │   ├── WriteTimeout          request_sent True   (upstream stopped reading the body)
    │   └── ReadTimeout           request_sent True   (no byte received for `read` seconds)
    ├── NetworkError
    │   ├── ConnectError          request_sent False
    │   ├── WriteError            request_sent True   (connection lost while sending)
    │   └── ReadError             request_sent True   (connection lost mid-response)
    ├── ProtocolError
    │   ├── RemoteProtocolError   malformed response, or closed without one
    │   └── LocalProtocolError    the caller's body disagrees with its content_length
    └── PoolClosed                request_sent False  (request after ``aclose()``)

Exceptions raised by the caller's own request-body iterator are not wrapped: they propagate
unchanged, so the proxy can tell "client went away" from "upstream failed".
"""

from __future__ import annotations

__all__ = [
    "ConnectError",
    "ConnectTimeout",
    "LocalProtocolError",
    "NetworkError",
    "PoolClosed",
    "PoolTimeout",
    "ProtocolError",
    "ReadError",
    "ReadTimeout",
    "RemoteProtocolError",
    "UpstreamError",
    "UpstreamTimeout",
    "WriteError",
    "WriteTimeout",
]


class UpstreamError(Exception):
    """Base class: something went wrong talking to the upstream."""

    def __init__(self, message: str, *, request_sent: bool) -> None:
        super().__init__(message)
        self.request_sent = request_sent


class UpstreamTimeout(UpstreamError):
    """A connect, pool, write or read deadline passed."""


class ConnectTimeout(UpstreamTimeout):
    pass


class PoolTimeout(UpstreamTimeout):
    pass


class WriteTimeout(UpstreamTimeout):
    pass


class ReadTimeout(UpstreamTimeout):
    pass


class NetworkError(UpstreamError):
    """The TCP (or TLS) connection failed."""


class ConnectError(NetworkError):
    pass


class WriteError(NetworkError):
    pass


class ReadError(NetworkError):
    pass


class ProtocolError(UpstreamError):
    """One side broke HTTP/1.1 framing."""


class RemoteProtocolError(ProtocolError):
    pass


class LocalProtocolError(ProtocolError):
    pass


class PoolClosed(UpstreamError):
    pass
