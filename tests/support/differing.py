"""A monolith and a service that differ on purpose, for the shadow/canary tests.

``DifferingApp("monolith")`` and ``DifferingApp("service")`` answer the same paths:

    /api/same/...      identical JSON on both sides
    /api/changed/...   the service renames results[1].title
    /api/time/...      both add "generated_at": a fresh timestamp (noise)
    /api/order/...     the service returns the list reversed
    /api/slow/...      the service answers after 0.3 s, the same JSON
    /api/broken/...    the service answers 500
    /api/accounts/me/  who the caller is: sessionid=good-session -> user 7, else 401
    anything else      a JSON echo of what arrived (method, path, headers, body size)

Every request is recorded in ``seen`` as ``(method, path, {lower-case header: value})``.
The monolith sets a ``Set-Cookie: sessionid=...`` so tests can check it is never stored.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

__all__ = ["DifferingApp", "MONOLITH_COOKIE_SECRET"]

MONOLITH_COOKIE_SECRET = "set-cookie-secret-4f1d"
_RESULTS = [{"id": 1, "title": "Alpha"}, {"id": 2, "title": "Beta"}, {"id": 3, "title": "Gamma"}]


class DifferingApp:
    def __init__(self, side: str) -> None:
        self.side = side
        self.seen: list[tuple[str, str, dict[str, str]]] = []

    def paths(self, method: str | None = None) -> list[str]:
        return [p for m, p, _ in self.seen if method is None or m == method]

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                await send({"type": message["type"] + ".complete"})
                if message["type"] == "lifespan.shutdown":
                    return
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        path = scope["path"]
        self.seen.append((scope["method"], path, headers))
        status, payload, extra = await self._answer(path, scope["method"], headers, body)
        raw = json.dumps(payload).encode()
        response_headers = [(b"content-type", b"application/json"),
                            (b"content-length", str(len(raw)).encode()), *extra]
        await send({"type": "http.response.start", "status": status,
                    "headers": response_headers})
        await send({"type": "http.response.body", "body": raw})

    async def _answer(self, path: str, method: str, headers: dict[str, str],
                      body: bytes) -> tuple[int, Any, list[tuple[bytes, bytes]]]:
        service = self.side == "service"
        extra: list[tuple[bytes, bytes]] = []
        if not service:
            extra.append((b"set-cookie", f"sessionid={MONOLITH_COOKIE_SECRET}; HttpOnly"
                          .encode()))
        results = [dict(r) for r in _RESULTS]
        if path.startswith("/api/accounts/me"):
            if "sessionid=good-session" in headers.get("cookie", ""):
                return 200, {"id": 7, "username": "ana", "is_staff": False}, []
            return 401, {"detail": "not signed in"}, []
        if path.startswith("/api/same/"):
            return 200, {"count": 3, "results": results}, extra
        if path.startswith("/api/changed/"):
            if service:
                results[1]["title"] = "Beta (new)"
            return 200, {"count": 3, "results": results}, extra
        if path.startswith("/api/time/"):
            return 200, {"count": 3, "results": results, "generated_at": time.time()}, extra
        if path.startswith("/api/order/"):
            return 200, {"count": 3, "results": results[::-1] if service else results}, extra
        if path.startswith("/api/slow/"):
            if service:
                await asyncio.sleep(0.3)
            return 200, {"count": 3, "results": results}, extra
        if path.startswith("/api/broken/"):
            if service:
                return 500, {"error": "candidate broke"}, []
            return 200, {"count": 3, "results": results}, extra
        return 200, {"side": self.side, "method": method, "path": path,
                     "headers": headers, "body_bytes": len(body)}, extra
