"""Streaming a request body to the upstream, with the transport's backpressure.

It runs as its own task so the response head (an early 413, or a full-duplex echo) is read
while the body is still going out.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from .errors import LocalProtocolError
from .wire import LAST_CHUNK, chunk_header

if TYPE_CHECKING:
    from .connection import Connection

__all__ = ["send_body"]


async def send_body(
    conn: Connection,
    transport: asyncio.Transport,
    body: AsyncIterator[bytes],
    content_length: int | None,
) -> None:
    """Write ``body`` as Content-Length bytes or, when the length is unknown, as chunks.

    Every failure, the caller's own iterator raising included, goes to ``conn.fail`` so the
    task waiting for the response raises it; ``conn.body_sent`` is set only on success.
    """
    sent = 0
    try:
        async for chunk in body:
            if conn.closed or conn.answered:
                return  # upstream failed or already answered: the rest is not wanted
            if not chunk:
                continue
            if content_length is None:
                transport.writelines((chunk_header(len(chunk)), chunk, b"\r\n"))
            else:
                sent += len(chunk)
                if sent > content_length:
                    raise LocalProtocolError(
                        f"request body is longer than its content_length {content_length}",
                        request_sent=True,
                    )
                transport.write(chunk)
            size = transport.get_write_buffer_size()
            if size > conn.peak_write_buffered:
                conn.peak_write_buffered = size
            if conn.write_paused:
                await conn.drain()
        if conn.closed or conn.answered:
            return
        if content_length is None:
            transport.write(LAST_CHUNK)
        elif sent != content_length:
            raise LocalProtocolError(
                f"request body ended after {sent} of {content_length} bytes", request_sent=True
            )
        conn.body_sent = True
    except Exception as exc:
        conn.fail(exc)
