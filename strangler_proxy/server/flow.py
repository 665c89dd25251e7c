"""Back-pressure for one client connection: pause reading the client, wait for writes to drain."""

from __future__ import annotations

import asyncio

__all__ = ["FlowControl"]


class FlowControl:
    __slots__ = ("_drained", "_transport", "read_paused", "write_paused")

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self.read_paused = False
        self.write_paused = False
        self._drained: asyncio.Future[None] | None = None

    async def drain(self) -> None:
        """Return once the transport's write buffer went below its low-water mark."""
        if self.write_paused:
            if self._drained is None or self._drained.done():
                self._drained = asyncio.get_running_loop().create_future()
            await asyncio.shield(self._drained)

    def pause_reading(self) -> None:
        if not self.read_paused:
            self.read_paused = True
            self._transport.pause_reading()

    def resume_reading(self) -> None:
        if self.read_paused:
            self.read_paused = False
            if not self._transport.is_closing():
                self._transport.resume_reading()

    def pause_writing(self) -> None:
        self.write_paused = True

    def resume_writing(self) -> None:
        self.write_paused = False
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)
