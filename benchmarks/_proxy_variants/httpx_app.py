"""Minimal uvicorn ASGI proxy over httpx.AsyncClient on its default (httpcore) transport."""

from __future__ import annotations

import httpx
from _common import UPSTREAM, forwardable, lifespan, request_target

state: dict[str, httpx.AsyncClient] = {}


async def startup() -> None:
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
    state["client"] = httpx.AsyncClient(base_url=UPSTREAM, limits=limits, timeout=30.0)


async def shutdown() -> None:
    await state["client"].aclose()


async def app(scope, receive, send) -> None:
    if scope["type"] == "lifespan":
        await lifespan(receive, send, startup, shutdown)
        return
    client = state["client"]
    request = client.build_request(
        scope["method"], request_target(scope).decode("latin-1"),
        headers=forwardable(scope["headers"]),
    )
    response = await client.send(request, stream=True)
    try:
        await send({"type": "http.response.start", "status": response.status_code,
                    "headers": forwardable(response.headers.raw)})
        async for chunk in response.aiter_raw():
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
    finally:
        await response.aclose()
