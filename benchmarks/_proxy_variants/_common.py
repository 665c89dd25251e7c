"""What the three minimal proxy variants share: the upstream URL and hop-by-hop filtering."""

from __future__ import annotations

import os

UPSTREAM = os.environ.get("BENCH_UPSTREAM", "http://127.0.0.1:8000")

# RFC 9110 section 7.6.1 plus the framing headers each client sets itself.
HOP_BY_HOP = frozenset({
    b"connection", b"keep-alive", b"proxy-connection", b"te", b"trailer", b"transfer-encoding",
    b"upgrade", b"content-length",
})


def request_target(scope: dict) -> bytes:
    query = scope["query_string"]
    return scope["raw_path"] + b"?" + query if query else scope["raw_path"]


def forwardable(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    return [(k, v) for k, v in headers if k.lower() not in HOP_BY_HOP]


async def lifespan(receive, send, startup, shutdown) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await startup()
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await shutdown()
            await send({"type": "lifespan.shutdown.complete"})
            return
