"""Minimal uvicorn ASGI proxy over a raw aiohttp.ClientSession."""

from __future__ import annotations

import aiohttp
from _common import UPSTREAM, forwardable, lifespan, request_target

state: dict[str, aiohttp.ClientSession] = {}


async def startup() -> None:
    connector = aiohttp.TCPConnector(limit=256, limit_per_host=256)
    state["session"] = aiohttp.ClientSession(
        UPSTREAM, connector=connector, auto_decompress=False, cookie_jar=aiohttp.DummyCookieJar()
    )


async def shutdown() -> None:
    await state["session"].close()


async def app(scope, receive, send) -> None:
    if scope["type"] == "lifespan":
        await lifespan(receive, send, startup, shutdown)
        return
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in forwardable(scope["headers"])]
    async with state["session"].request(
        scope["method"], request_target(scope).decode("latin-1"), headers=headers,
        allow_redirects=False,
    ) as response:
        await send({"type": "http.response.start", "status": response.status,
                    "headers": forwardable(list(response.raw_headers))})
        async for chunk in response.content.iter_any():
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
