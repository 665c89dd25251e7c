"""The admin API and dashboard: a small ASGI app on its own listener, stateless over the stores.

Every request needs the bearer token (``Authorization: Bearer TOKEN``, compared in constant
time); the dashboard may instead use the ``strangler_admin`` cookie that ``GET /login?token=``
sets (HttpOnly, SameSite=Strict, path ``/``), for a browser that cannot send a header. The
cookie is accepted for GET requests only, so a form on another site cannot move a route.

::

    GET  /routes                     stage, percent, split and live figures of every route
    POST /routes/{name}/stage        {"stage": "canary", "percent": 25, "reason": "..."}
    POST /routes/{name}/promote      one step; 409 with the failing gates
    POST /routes/{name}/rollback     straight to the monolith
    GET  /diffs[?route=NAME]         per-route comparison summaries
    GET  /diffs/{name}/examples      redacted mismatch examples (?limit=N)
    GET  /audit[?route=NAME]         stage changes, newest first
    GET  /dashboard                  the migration dashboard (HTML, no CDN)
    GET  /login?token=TOKEN          sets the cookie, redirects to /dashboard

The table is re-read from the routes file when it changes (mtime), the stores are read on
each request: the listener keeps no state of its own, so it can run anywhere the store is.
"""

from __future__ import annotations

import asyncio
import hmac
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from strangler_proxy import admin_views as views
from strangler_proxy.dashboard import render_dashboard
from strangler_proxy.errors import ControlError, RoutesFileError, StageRequestError, UnknownRoute
from strangler_proxy.routes import RouteTable
from strangler_proxy.routes_file import load_table
from strangler_proxy.stage_control import promote, roll_back, set_stage
from strangler_proxy.state_factory import StateStores

__all__ = ["COOKIE", "AdminApp"]

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
COOKIE = "strangler_admin"
MAX_BODY = 64 * 1024


class _Reply(Exception):
    def __init__(self, status: int, payload: Any) -> None:
        self.status, self.payload = status, payload


class AdminApp:
    def __init__(self, config_path: str | Path, stores: StateStores, token: str) -> None:
        if not token:
            raise ValueError("the admin API needs a token")
        self.config_path = Path(config_path)
        self.stores = stores
        self._token = token.encode()
        self._table: RouteTable | None = None
        self._mtime = -1.0

    def table(self) -> RouteTable:
        """The routes file's table, re-read when the file changed (the last good one kept)."""
        try:
            mtime = self.config_path.stat().st_mtime
        except OSError:
            mtime = self._mtime
        if self._table is None or mtime != self._mtime:
            try:
                self._table = load_table(self.config_path)
                self._mtime = mtime
            except RoutesFileError:
                if self._table is None:
                    raise
        return self._table

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                await send({"type": message["type"] + ".complete"})
                if message["type"] == "lifespan.shutdown":
                    return
        if scope["type"] != "http":
            return
        method, path = scope["method"], scope["path"].rstrip("/") or "/"
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        try:
            if path == "/login" and method == "GET":
                await self._login(query, send)
                return
            self._authorise(scope, method)
            body = await _read_json(receive) if method == "POST" else {}
            status, payload = await asyncio.to_thread(self._handle, method, path, query, body)
        except _Reply as reply:
            status, payload = reply.status, reply.payload
        except UnknownRoute as exc:
            status, payload = 404, {"error": str(exc)}
        except ControlError as exc:
            status, payload = 400, {"error": str(exc)}
        except RoutesFileError as exc:
            status, payload = 500, {"error": "routes file invalid", "issues": str(exc)}
        if isinstance(payload, str):
            await _send(send, status, payload.encode(), b"text/html; charset=utf-8")
        else:
            await _send(send, status, json.dumps(payload, indent=1).encode(),
                        b"application/json")

    def _authorise(self, scope: Scope, method: str) -> None:
        given = b""
        cookie = b""
        for name, value in scope["headers"]:
            if name == b"authorization" and value[:7].lower() == b"bearer ":
                given = value[7:].strip()
            elif name == b"cookie":
                for part in value.split(b";"):
                    key, _, val = part.strip().partition(b"=")
                    if key == COOKIE.encode():
                        cookie = val
        if not given and method == "GET":
            given = cookie
        if not given or not hmac.compare_digest(given, self._token):
            raise _Reply(401, {"error": "missing or wrong bearer token "
                                        "(Authorization: Bearer $STRANGLER_ADMIN_TOKEN)"})

    async def _login(self, query: dict[str, list[str]], send: Send) -> None:
        given = (query.get("token") or [""])[0].encode()
        if not given or not hmac.compare_digest(given, self._token):
            await _send(send, 401, b'{"error": "wrong token"}', b"application/json")
            return
        cookie = (f"{COOKIE}={given.decode()}; HttpOnly; SameSite=Strict; Path=/"
                  ).encode("latin-1")
        await send({"type": "http.response.start", "status": 303,
                    "headers": [(b"location", b"/dashboard"), (b"set-cookie", cookie),
                                (b"cache-control", b"no-store"), (b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})

    def _handle(self, method: str, path: str, query: dict[str, list[str]],
                body: dict[str, Any]) -> tuple[int, Any]:
        """Blocking (SQLite): runs in a thread."""
        parts = path.strip("/").split("/")
        one = {k: v[0] for k, v in query.items() if v}
        table, stores = self.table(), self.stores
        if method == "GET":
            if parts == ["routes"]:
                return 200, views.routes_view(table, stores)
            if parts == ["diffs"]:
                return 200, views.diffs_view(stores, one.get("route"),
                                             top=_int(one, "top", 5))
            if len(parts) == 3 and parts[0] == "diffs" and parts[2] == "examples":
                return 200, views.examples_view(stores, parts[1], limit=_int(one, "limit", 20))
            if parts == ["audit"]:
                return 200, views.audit_view(stores, one.get("route"),
                                             limit=_int(one, "limit", 50))
            if parts == ["dashboard"]:
                return 200, render_dashboard(views.dashboard_data(table, stores))
        if method == "POST" and len(parts) == 3 and parts[0] == "routes":
            name, action = parts[1], parts[2]
            actor = str(body.get("actor") or "admin-api")[:80]
            reason = str(body.get("reason") or "")[:500]
            if action == "stage":
                stage = body.get("stage")
                if not isinstance(stage, str):
                    raise StageRequestError('body needs {"stage": "monolith|shadow|canary|'
                                            'service", "percent": N}')
                outcome = set_stage(table, stores.stages, name, stage, body.get("percent"),
                                    actor=actor, reason=reason)
                return 200, views.outcome_view(outcome)
            if action == "promote":
                outcome = promote(table, stores.stages, stores.diffs, name, actor=actor,
                                  reason=reason)
                return (200 if outcome.applied else 409), views.outcome_view(outcome)
            if action == "rollback":
                outcome = roll_back(table, stores.stages, name, actor=actor, reason=reason)
                return 200, views.outcome_view(outcome)
        return 404, {"error": f"no endpoint {method} {path}"}


def _int(query: dict[str, str], key: str, default: int) -> int:
    value = query.get(key, "")
    if not value:
        return default
    if not value.isdigit():
        raise StageRequestError(f"?{key}= must be a whole number, not {value!r}")
    return min(int(value), 1000)


async def _read_json(receive: Receive) -> dict[str, Any]:
    raw = b""
    while True:
        message = await receive()
        raw += message.get("body", b"")
        if len(raw) > MAX_BODY:
            raise _Reply(413, {"error": "request body too large"})
        if not message.get("more_body"):
            break
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        raise _Reply(400, {"error": "the body must be a JSON object"}) from None
    if not isinstance(data, dict):
        raise _Reply(400, {"error": "the body must be a JSON object"})
    return data


async def _send(send: Send, status: int, body: bytes, ctype: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", ctype), (b"cache-control", b"no-store"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
