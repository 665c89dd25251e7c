"""Real HTTP servers on 127.0.0.1 for the shadow tests: uvicorn in a thread.

The socket is bound here (port 0) and handed to uvicorn, so the port is known before the
server starts and no two tests race for one.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


@contextmanager
def running(app: App) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1:<ephemeral>; yields the base URL; stops on exit."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="error", lifespan="off", ws="none",
                            access_log=False, timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def json_app(routes: dict[str, Any], *, seen: list[Scope] | None = None,
             delays: dict[str, float] | None = None) -> App:
    """An app answering ``routes[path]``: a JSON-able value, or a tuple
    ``(status, headers, body_bytes)``, or a callable ``(counter) -> either``; a path in
    ``delays`` sleeps that many seconds first; ``/echo`` returns the request headers and
    body as JSON.
    """
    counter = {"n": 0}

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        if seen is not None:
            seen.append(scope)
        path = scope["path"]
        counter["n"] += 1
        if delays and path in delays:
            await asyncio.sleep(delays[path])
        if path == "/echo":
            answer: Any = {"headers": [[k.decode(), v.decode()] for k, v in scope["headers"]],
                           "body": body.decode()}
        else:
            answer = routes.get(path, (404, [], b"not found"))
        if callable(answer):
            answer = answer(counter["n"])
        if isinstance(answer, tuple):
            status, headers, payload = answer
        else:
            status, headers, payload = 200, [("content-type", "application/json")], \
                json.dumps(answer).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(k.encode(), v.encode()) for k, v in headers]})
        await send({"type": "http.response.body", "body": payload})

    return app
