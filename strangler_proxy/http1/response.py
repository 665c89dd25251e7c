"""The response handle given to the caller: head fields plus a streamed, de-chunked body."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .connection import Connection

__all__ = ["UpstreamResponse"]


class UpstreamResponse:
    """A final (non-1xx) response whose body is still on the wire.

    Always ``await response.aclose()`` (in a ``finally``): it returns the connection to the pool
    when the body was read to its end and keep-alive holds, and closes it otherwise::

        response = await pool.request(b"GET", b"/", [(b"host", b"example")])
        try:
            async for chunk in response.aiter_bytes():
                await send(chunk)
        finally:
            await response.aclose()
    """

    __slots__ = (
        "_conn",
        "_peak",
        "_peak_write",
        "has_body",
        "headers",
        "http_version",
        "reason",
        "status",
    )

    def __init__(
        self,
        conn: Connection,
        status: int,
        reason: bytes,
        http_version: str,
        headers: list[tuple[bytes, bytes]],
        has_body: bool,
    ) -> None:
        self.status = status
        self.reason = reason
        self.http_version = http_version
        self.headers = headers  # raw order, duplicates kept, names as received
        self.has_body = has_body  # False for HEAD, 204 and 304
        self._conn: Connection | None = conn
        self._peak = 0
        self._peak_write = 0

    def aiter_bytes(self) -> AsyncIterator[bytes]:
        """Yield the body as it arrives; raises ``ReadError``/``ReadTimeout`` on failure."""
        return _BodyIterator(self)

    async def aread(self) -> bytes:
        """Read the whole body into memory (for small bodies: health checks, tests)."""
        return b"".join([chunk async for chunk in self.aiter_bytes()])

    @property
    def peak_buffered(self) -> int:
        """Most unread body bytes held at once (a debug counter for the backpressure bound)."""
        conn = self._conn
        return conn.peak_buffered if conn is not None else self._peak

    @property
    def peak_write_buffered(self) -> int:
        """Most request-body bytes queued in the transport at once (debug counter)."""
        conn = self._conn
        return conn.peak_write_buffered if conn is not None else self._peak_write

    async def aclose(self) -> None:
        self._release(close=False)

    def _release(self, *, close: bool) -> None:
        conn = self._conn
        if conn is None:
            return
        self._conn = None
        self._peak = conn.peak_buffered
        self._peak_write = conn.peak_write_buffered
        if close:
            conn.close()
        else:
            conn.finish()

    def __repr__(self) -> str:
        return f"<UpstreamResponse {self.status} {self.reason.decode('latin-1')!r}>"


class _BodyIterator:
    """``aiter_bytes()`` as a plain class: an async generator costs a hook call and a weakref
    per response (``loop._asyncgen_firstiter_hook``), measurable at tens of thousands a second."""

    __slots__ = ("_response",)

    def __init__(self, response: UpstreamResponse) -> None:
        self._response = response

    def __aiter__(self) -> _BodyIterator:
        return self

    async def __anext__(self) -> bytes:
        conn = self._response._conn
        if conn is None:
            raise StopAsyncIteration
        try:
            while True:
                chunk = conn.next_chunk()
                if chunk is None:
                    await conn.wait_body()
                elif chunk:
                    return chunk
                else:
                    raise StopAsyncIteration
        except StopAsyncIteration:
            raise
        except BaseException:
            # Cancelled or failed mid-body: the framing state is unknown, never reuse it.
            self._response._release(close=True)
            raise
