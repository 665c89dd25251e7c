"""Bounded copies of streamed bodies, and an ASGI ``send`` wrapper that keeps one.

The client always receives the very message objects the app sent, in order; the tap
only reads them. Past ``limit`` bytes the copy stops growing and is marked overflowed,
so memory stays bounded whatever the body size.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from strangler_proxy.snapshots import ResponseSnapshot, headers_from_asgi

Message = MutableMapping[str, Any]
Send = Callable[[Message], Awaitable[None]]


class BoundedBodyTap:
    """Accumulates up to ``limit`` bytes; ``size`` counts every byte seen."""

    __slots__ = ("_chunks", "_kept", "limit", "overflowed", "size")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.overflowed = False
        self._chunks: list[bytes] = []
        self._kept = 0

    def feed(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.overflowed or not chunk:
            return
        room = self.limit - self._kept
        if len(chunk) > room:
            self.overflowed = True
            # the kept prefix is useless once overflowed (nothing compares a prefix): free it
            self._chunks.clear()
            self._kept = 0
            return
        self._chunks.append(chunk)
        self._kept += len(chunk)

    @property
    def body(self) -> bytes:
        return b"".join(self._chunks)


class ResponseTap:
    """Wraps an ASGI ``send``: forwards every message, keeps a bounded copy of the response.

    When the last body message has been sent, ``on_complete`` gets a
    :class:`ResponseSnapshot` (``truncated`` when the body passed ``limit``). If sending
    fails (the client went away) nothing is reported.
    """

    def __init__(self, send: Send, *, limit: int,
                 on_complete: Callable[[ResponseSnapshot], None],
                 started: float | None = None,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self._send = send
        self._tap = BoundedBodyTap(limit)
        self._on_complete = on_complete
        self._clock = clock
        self._started = clock() if started is None else started
        self._status = 0
        self._headers: tuple[tuple[str, str], ...] = ()
        self.done = False

    async def __call__(self, message: Message) -> None:
        await self._send(message)
        kind = message.get("type")
        if kind == "http.response.start":
            self._status = int(message["status"])
            self._headers = headers_from_asgi(message.get("headers") or ())
        elif kind == "http.response.body" and not self.done:
            self._tap.feed(bytes(message.get("body", b"")))
            if not message.get("more_body", False):
                self.done = True
                self._on_complete(ResponseSnapshot(
                    status=self._status, headers=self._headers, body=self._tap.body,
                    truncated=self._tap.overflowed,
                    latency_ms=(self._clock() - self._started) * 1000))
