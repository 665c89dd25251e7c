"""What a relay exchange reports to (``Connection.start_relay``): callbacks instead of a task.

The proxy's pass-through fast path uses it to write an upstream's response to the client as
it is parsed, without a coroutine or a future per request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .connection import Connection
    from .errors import UpstreamError

__all__ = ["RelaySink"]


class RelaySink(Protocol):
    def relay_head(self, status: int, reason: bytes, headers: list[tuple[bytes, bytes]],
                   has_body: bool) -> None:
        """The final response head (1xx skipped); ``has_body`` False for HEAD/204/304."""

    def relay_body(self, chunk: bytes) -> None:
        """A body chunk, de-chunked; buffer it until ``relay_flush``."""

    def relay_flush(self) -> None:
        """The end of one read from the upstream: write what was buffered."""

    def relay_done(self) -> None:
        """The response ended; the connection is already back in the pool (or closed)."""

    def relay_failed(self, exc: UpstreamError, conn: Connection) -> None:
        """The exchange failed (timeout, reset, malformed); the connection is closed."""
