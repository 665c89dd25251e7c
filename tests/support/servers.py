"""Real HTTP servers for tests: any ASGI app under uvicorn on 127.0.0.1, plus upstream apps.

::

    from tests.support.servers import running, UpstreamApp

    upstream = UpstreamApp("catalog")
    with running(upstream) as server:          # uvicorn in a thread, ephemeral port
        httpx.get(server.url + "/anything")    # -> JSON echo of what the upstream received
        upstream.requests                      # [(method, raw path + query), ...] it saw

``UpstreamApp`` answers every path with a JSON echo, except paths ending in a behaviour:

    .../status/N        respond with status N (JSON echo body; 204/304 without a body)
    .../slow/S          sleep S seconds, then echo
    .../stream/N        N chunks of 1 KB, chunked transfer encoding
    .../reset           start a 1 MB Content-Length response, send 64 KB, drop the connection
    .../download/N      N bytes (64 KB chunks); ``?chunked=1`` for chunked encoding
    .../upload          read the body as it streams; echo its size and sha256
    .../cookies         two Set-Cookie headers plus ``Connection: x-hop`` / ``X-Hop: 1``

The echo body: ``{"upstream", "method", "path", "query", "headers": [[name, value], ...],
"body_bytes", "body_sha256"}``. ``python -m tests.support.servers NAME`` runs one in the
foreground and prints ``PORT <n>`` (for tests that need the upstream in another process).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import re
import socket
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import uvicorn

__all__ = ["RunningServer", "UpstreamApp", "bind_socket", "reserve_port", "running"]

_BEHAVIOUR = re.compile(r"/(status|slow|stream|reset|download|upload|cookies)(?:/([0-9.]+))?/?$")
_CHUNK = bytes(range(256)) * 256  # 64 KB


@dataclass
class RunningServer:
    url: str
    port: int
    server: uvicorn.Server


def bind_socket(host: str = "127.0.0.1") -> socket.socket:
    """A listening socket on an ephemeral port (the port is read back, never guessed)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def reserve_port(host: str = "127.0.0.1") -> socket.socket:
    """A bound socket that does not listen yet: connecting to it is refused until it is
    passed to ``running(app, sock=...)`` (a "dead" upstream that can come back)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    return sock


@contextlib.contextmanager
def running(app: Any, *, sock: socket.socket | None = None,
            **config: Any) -> Iterator[RunningServer]:
    """Serve ``app`` with uvicorn in a daemon thread until the block ends.

    ``config`` goes to ``uvicorn.Config`` (defaults: lifespan on, logs at warning, no
    ``server``/``date`` headers so a proxy in front passes the upstream's own). ``sock``
    serves on a socket from ``reserve_port``.
    """
    if sock is None:
        sock = bind_socket()
    else:
        sock.listen(128)
    port = sock.getsockname()[1]
    options: dict[str, Any] = {"lifespan": "on", "log_level": "warning", "server_header": False,
                               "date_header": False, "timeout_graceful_shutdown": 5}
    options.update(config)
    server = uvicorn.Server(uvicorn.Config(app, **options))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        for _ in range(1000):
            if server.started or not thread.is_alive():
                break
            threading.Event().wait(0.01)
        if not server.started:
            raise RuntimeError("uvicorn did not start (see the log above)")
        yield RunningServer(url=f"http://127.0.0.1:{port}", port=port, server=server)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


class UpstreamApp:
    """A test upstream: echo by default, behaviours chosen by the end of the path."""

    def __init__(self, name: str = "upstream") -> None:
        self.name = name
        self.requests: list[tuple[str, str]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                await send({"type": message["type"] + ".complete"})
                if message["type"] == "lifespan.shutdown":
                    return
        if scope["type"] != "http":
            return
        raw = scope.get("raw_path", scope["path"].encode()).decode("latin-1")
        query = scope.get("query_string", b"").decode("latin-1")
        self.requests.append((scope["method"], raw + ("?" + query if query else "")))
        found = _BEHAVIOUR.search(raw)
        kind, arg = (found.group(1), found.group(2)) if found else ("echo", None)
        if kind == "download":
            await self._download(send, int(arg or 0), chunked="chunked=1" in query)
            return
        if kind == "stream":
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/octet-stream")]})
            for _ in range(int(arg or 3)):
                await send({"type": "http.response.body", "body": b"x" * 1024, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
            return
        if kind == "reset":
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-length", b"1048576")]})
            await send({"type": "http.response.body", "body": _CHUNK, "more_body": True})
            raise ConnectionResetError("test upstream drops the connection mid-body")
        size, digest = await _consume(receive)
        if kind == "slow":
            await asyncio.sleep(float(arg or 1))
        status = int(arg) if kind == "status" and arg else 200
        echo = {"upstream": self.name, "method": scope["method"], "path": raw, "query": query,
                "headers": [[n.decode("latin-1"), v.decode("latin-1")]
                            for n, v in scope["headers"]],
                "body_bytes": size, "body_sha256": digest}
        headers = [(b"content-type", b"application/json")]
        if kind == "cookies":
            headers += [(b"set-cookie", b"a=1; Path=/"), (b"set-cookie", b"b=2; Path=/"),
                        (b"connection", b"x-hop"), (b"x-hop", b"1"), (b"keep-alive", b"timeout=5")]
        body = b"" if status in (204, 304) or status < 200 else json.dumps(echo).encode()
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _download(self, send: Any, size: int, *, chunked: bool) -> None:
        headers = [(b"content-type", b"application/octet-stream")]
        if not chunked:
            headers.append((b"content-length", str(size).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        left = size
        while left > 0:
            piece = _CHUNK if left >= len(_CHUNK) else _CHUNK[:left]
            left -= len(piece)
            await send({"type": "http.response.body", "body": piece, "more_body": left > 0})
        if size == 0:
            await send({"type": "http.response.body", "body": b""})


async def _consume(receive: Any) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        digest.update(chunk)
        if not message.get("more_body", False):
            break
    return size, digest.hexdigest()


def _main(argv: list[str]) -> None:
    name = argv[0] if argv else "upstream"
    sock = bind_socket()
    print(f"PORT {sock.getsockname()[1]}", flush=True)
    config = uvicorn.Config(UpstreamApp(name), lifespan="on", log_level="warning",
                            server_header=False, date_header=False)
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    _main(sys.argv[1:])
