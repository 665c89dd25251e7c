"""Minimal uvicorn ASGI proxy over strangler_proxy.http1.ConnectionPool (GET/HEAD only)."""

from __future__ import annotations

from _common import UPSTREAM, forwardable, lifespan, request_target

from strangler_proxy.http1 import ConnectionPool

state: dict[str, ConnectionPool] = {}


async def startup() -> None:
    state["pool"] = ConnectionPool(UPSTREAM, max_connections=256, max_idle_connections=256)


async def shutdown() -> None:
    await state["pool"].aclose()


async def app(scope, receive, send) -> None:
    if scope["type"] == "lifespan":
        await lifespan(receive, send, startup, shutdown)
        return
    response = await state["pool"].request(
        scope["method"].encode(), request_target(scope), forwardable(scope["headers"])
    )
    try:
        await send({"type": "http.response.start", "status": response.status,
                    "headers": forwardable(response.headers)})
        # Hold one chunk back so a one-chunk body goes out in a single, final send.
        previous = b""
        async for chunk in response.aiter_bytes():
            if previous:
                await send({"type": "http.response.body", "body": previous, "more_body": True})
            previous = chunk
        await send({"type": "http.response.body", "body": previous, "more_body": False})
    finally:
        await response.aclose()
