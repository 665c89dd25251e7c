"""A bare TCP server on 127.0.0.1 for upstreams that misbehave in ways no ASGI app can."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

__all__ = ["RawServer", "read_head"]


class RawServer:
    """Hands each accepted connection to ``handle`` in a thread of its own; ``url`` is its
    address. Started by the constructor, stopped by ``close``."""

    def __init__(self, handle: Callable[[socket.socket], None]) -> None:
        self.handle = handle
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            try:
                self.handle(conn)
            except OSError:
                pass  # the proxy gave up on us

    def close(self) -> None:
        self.listener.close()


def read_head(conn: socket.socket, buffer: bytes = b"") -> tuple[bytes, bytes] | None:
    """The next request head on ``conn`` (without its blank line) and the bytes after it, or
    None when the peer closed first."""
    while b"\r\n\r\n" not in buffer:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        buffer += chunk
    head, _, rest = buffer.partition(b"\r\n\r\n")
    return head, rest
