"""Length-prefixed pickled messages over a local stream socket, never blocking the sender.

The proxy and its shadow worker process talk over one ``socketpair``: jobs one way, figures
the other. A frame is a 4-byte big-endian length and a pickle (protocol 5) of a small tuple
whose first item says what it is (see ``shadow_worker``). Both ends are our own processes,
created together: nothing else can write to the socket, so unpickling is safe here.

:class:`ChannelWriter` is the proxy's side: :meth:`~ChannelWriter.send` writes what the
socket takes at once and keeps the rest in a bounded outbox that the event loop flushes
when the socket is writable again. Once the outbox holds its byte bound (it may pass it by
one frame), messages are refused (``False``): the caller drops and counts them, nobody waits.
"""

from __future__ import annotations

import asyncio
import collections
import pickle
import socket
import struct
from collections.abc import Iterator
from typing import Any

__all__ = ["ChannelWriter", "FrameReader", "encode", "read_message"]

_LENGTH = struct.Struct(">I")
MAX_FRAME = 64 * 1024 * 1024  # a job is two bounded bodies and headers: far below this


def encode(message: tuple[Any, ...]) -> bytes:
    """One frame: length prefix and pickle."""
    payload = pickle.dumps(message, protocol=5)
    return _LENGTH.pack(len(payload)) + payload


class FrameReader:
    """Splits a byte stream into messages, whatever the chunk boundaries."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> Iterator[tuple[Any, ...]]:
        self._buffer += data
        while len(self._buffer) >= _LENGTH.size:
            (size,) = _LENGTH.unpack_from(self._buffer)
            if size > MAX_FRAME:
                raise ValueError(f"shadow channel frame of {size} bytes: stream corrupted")
            end = _LENGTH.size + size
            if len(self._buffer) < end:
                return
            payload = bytes(self._buffer[_LENGTH.size:end])
            del self._buffer[:end]
            yield pickle.loads(payload)


async def read_message(reader: asyncio.StreamReader) -> tuple[Any, ...] | None:
    """The next message from an asyncio stream; ``None`` at end of stream."""
    try:
        head = await reader.readexactly(_LENGTH.size)
        (size,) = _LENGTH.unpack(head)
        if size > MAX_FRAME:
            raise ValueError(f"shadow channel frame of {size} bytes: stream corrupted")
        return pickle.loads(await reader.readexactly(size))
    except asyncio.IncompleteReadError:
        return None


class ChannelWriter:
    """Non-blocking, bounded writer over a connected non-blocking stream socket.

    Use it from the event loop's thread only (it registers a writer callback on the loop).
    ``broken`` turns true once the peer is gone; every later send is refused.
    """

    def __init__(self, sock: socket.socket, loop: asyncio.AbstractEventLoop, *,
                 max_pending_bytes: int) -> None:
        self._sock = sock
        self._loop = loop
        self._limit = max_pending_bytes
        self._outbox: collections.deque[memoryview] = collections.deque()
        self._pending = 0
        self._watching = False
        self.broken = False

    @property
    def full(self) -> bool:
        """Whether a send would be refused now (checked before encoding a job)."""
        return self.broken or (bool(self._outbox) and self._pending >= self._limit)

    @property
    def pending_bytes(self) -> int:
        """Bytes accepted but not yet taken by the socket."""
        return self._pending

    def send(self, frame: bytes, *, force: bool = False) -> bool:
        """Write ``frame`` or queue it; ``False`` when broken or (unless ``force``) full."""
        if self.broken:
            return False
        if self._outbox:  # keep order: behind what is already waiting
            if not force and self._pending >= self._limit:
                return False
            self._outbox.append(memoryview(frame))
            self._pending += len(frame)
            return True
        try:
            sent = self._sock.send(frame)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:
            self._break()
            return False
        if sent < len(frame):
            rest = memoryview(frame)[sent:]
            self._outbox.append(rest)
            self._pending += len(rest)
            self._watch()
        return True

    def _watch(self) -> None:
        if not self._watching:
            self._loop.add_writer(self._sock, self._flush)
            self._watching = True

    def _flush(self) -> None:
        while self._outbox:
            head = self._outbox[0]
            try:
                sent = self._sock.send(head)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                self._break()
                return
            self._pending -= sent
            if sent < len(head):
                self._outbox[0] = head[sent:]
                return
            self._outbox.popleft()
        self._unwatch()

    def _unwatch(self) -> None:
        if self._watching:
            self._loop.remove_writer(self._sock)
            self._watching = False

    def _break(self) -> None:
        self.broken = True
        self._outbox.clear()
        self._pending = 0
        self._unwatch()

    def close(self) -> None:
        """Stop watching the socket and forget what was not sent (the caller closes it)."""
        self._break()
