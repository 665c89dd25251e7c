"""The CLI's side of the admin API: a small httpx client that reaches the running proxy.

The URL comes from ``[admin] listen`` of the routes file, the token from the environment
variable named by ``[admin] token_env``. Everything that keeps a command from working is an
``AdminUnreachable`` (or ``UnknownRoute``/``StageRequestError`` from the API's answer) whose
message says what to do; the CLI maps them to exit 2.
"""

from __future__ import annotations

import os
from typing import Any

import httpx

from strangler_proxy.errors import AdminUnreachable, StageRequestError, UnknownRoute
from strangler_proxy.routes import RouteTable

__all__ = ["AdminClient"]

DEFAULT_TIMEOUT_S = 10.0


class AdminClient:
    def __init__(self, table: RouteTable, *, timeout: float = DEFAULT_TIMEOUT_S,
                 actor: str | None = None) -> None:
        settings = table.admin
        token = os.environ.get(settings.token_env, "").strip()
        if not token:
            raise AdminUnreachable(
                f"{settings.token_env} is not set: export the token the proxy was started "
                f"with ({settings.token_env}=...) and run the command again")
        host, _, port = settings.listen.rpartition(":")
        host = host.strip("[]")
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1"  # a wildcard bind is reachable on loopback
        self.url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
        self.source = table.source
        self.actor = actor or f"cli:{os.environ.get('USER', 'unknown')}"
        self._client = httpx.Client(base_url=self.url, timeout=timeout, trust_env=False,
                                    headers={"authorization": f"Bearer {token}"})

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> AdminClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def routes(self) -> dict[str, Any]:
        return self._call("GET", "/routes")[1]

    def set_stage(self, name: str, stage: str, percent: int | None, reason: str = ""
                  ) -> dict[str, Any]:
        body = {"stage": stage, "percent": percent, "reason": reason, "actor": self.actor}
        return self._call("POST", f"/routes/{name}/stage", body)[1]

    def promote(self, name: str, reason: str = "") -> dict[str, Any]:
        """The outcome; ``applied`` is False when a gate failed (the API answered 409)."""
        return self._call("POST", f"/routes/{name}/promote",
                          {"reason": reason, "actor": self.actor})[1]

    def rollback(self, name: str, reason: str = "") -> dict[str, Any]:
        return self._call("POST", f"/routes/{name}/rollback",
                          {"reason": reason, "actor": self.actor})[1]

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None
              ) -> tuple[int, Any]:
        try:
            response = self._client.request(method, path, json=body)
        except httpx.TransportError as exc:
            raise AdminUnreachable(
                f"no admin API at {self.url} ({type(exc).__name__}): start the proxy with "
                f"`strangler proxy serve --config {self.source}` (with the token variable "
                "set), or check [admin] listen") from None
        try:
            payload = response.json()
        except ValueError:
            payload = {"error": response.text[:200]}
        if response.status_code == 401:
            raise AdminUnreachable(f"the admin API at {self.url} refused the token: use the "
                                   "value the proxy was started with")
        if response.status_code == 404:
            raise UnknownRoute(payload.get("error", "not found"))
        if response.status_code == 400:
            raise StageRequestError(payload.get("error", "bad request"))
        if response.status_code >= 500:
            raise AdminUnreachable(f"the admin API failed: {payload.get('error')}")
        return response.status_code, payload
