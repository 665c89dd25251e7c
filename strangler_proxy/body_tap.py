"""Bounded copies of streamed bodies, and an ASGI ``send`` wrapper that keeps one.

The client always receives the very message objects the app sent, in order; the tap
only reads them. Past ``limit`` bytes the copy stops growing and is marked overflowed,
so memory stays bounded whatever the body size.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from strangler_proxy.limits import RequestBody
from strangler_proxy.snapshots import ResponseSnapshot, headers_from_asgi

# A plain dict, as app, forward and shadowing type the ``send`` they pass in.
Message = dict[str, Any]
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


RawComplete = Callable[[int, list[tuple[bytes, bytes]], bytes, bool, float], None]


class RawResponseTap:
    """Wraps an ASGI ``send``: forwards every message, keeps a bounded copy of the response.

    When the last body message has been sent, ``on_complete(status, headers, body,
    truncated, latency_ms)`` gets the parts as they were: raw ASGI header pairs, the kept
    body (empty and ``truncated`` when it passed ``limit``). Nothing is decoded here: this
    runs on the request path. If sending fails (the client went away) nothing is reported.
    """

    __slots__ = ("_clock", "_headers", "_on_complete", "_send", "_started", "_status", "_tap",
                 "done")

    def __init__(self, send: Send, *, limit: int, on_complete: RawComplete,
                 started: float | None = None,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self._send = send
        self._tap = BoundedBodyTap(limit)
        self._on_complete = on_complete
        self._clock = clock
        self._started = clock() if started is None else started
        self._status = 0
        self._headers: list[tuple[bytes, bytes]] = []
        self.done = False

    async def __call__(self, message: Message) -> None:
        await self._send(message)
        kind = message.get("type")
        if kind == "http.response.start":
            self._status = int(message["status"])
            self._headers = list(message.get("headers") or ())
        elif kind == "http.response.body" and not self.done:
            self._tap.feed(bytes(message.get("body", b"")))
            if not message.get("more_body", False):
                self.done = True
                self._on_complete(self._status, self._headers, self._tap.body,
                                  self._tap.overflowed, (self._clock() - self._started) * 1000)


class ResponseTap(RawResponseTap):
    """A :class:`RawResponseTap` that reports a decoded :class:`ResponseSnapshot`."""

    __slots__ = ()

    def __init__(self, send: Send, *, limit: int,
                 on_complete: Callable[[ResponseSnapshot], None],
                 started: float | None = None,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        def report(status: int, headers: list[tuple[bytes, bytes]], body: bytes,
                   truncated: bool, latency_ms: float) -> None:
            on_complete(ResponseSnapshot(status=status, headers=headers_from_asgi(headers),
                                         body=body, truncated=truncated,
                                         latency_ms=latency_ms))

        super().__init__(send, limit=limit, on_complete=report, started=started, clock=clock)


class TeeBody:
    """A streamed request body that keeps a bounded copy of what it passes on."""

    def __init__(self, inner: RequestBody, limit: int) -> None:
        self._inner = inner
        self.tap = BoundedBodyTap(limit)

    @property
    def replayable(self) -> bool:
        return self._inner.replayable

    @property
    def complete(self) -> bool:
        return self._inner.complete

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            self.tap.feed(chunk)
            yield chunk
