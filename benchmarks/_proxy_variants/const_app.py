"""uvicorn answering the upstream's ~1 KB JSON itself, with no upstream: the ceiling of any
uvicorn app on this machine, so the proxy rows can be read against what uvicorn allows."""

from __future__ import annotations

from upstream import BODY

HEADERS = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(BODY))]


async def app(scope, receive, send) -> None:
    if scope["type"] != "http":  # lifespan: nothing to open
        return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
