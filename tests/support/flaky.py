"""A forwarding ASGI app that starts failing on cue: the "crash" in resume tests.

::

    flaky = FlakyForwarder(monolith.url, fail_after=3, path_part="/export/")
    with running(flaky) as front:        # tests.support.servers: uvicorn in a thread
        ...                              # the 4th matching request on answers 500
    FlakyForwarder(url, fail_first=2, path_part="/titles/")   # or only the first two fail
    flaky.healed = True                  # forward everything again
    flaky.seen                           # [path + query, ...] of every request
"""

from __future__ import annotations

from typing import Any

import httpx


class FlakyForwarder:
    def __init__(
        self, target: str, *, path_part: str, fail_after: int = 0, fail_first: int = 0
    ) -> None:
        self.target = target
        self.fail_after = fail_after
        self.fail_first = fail_first
        self.path_part = path_part
        self.healed = False
        self.seen: list[str] = []
        self._matched = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        query = scope.get("query_string", b"").decode("latin-1")
        path = scope["path"] + ("?" + query if query else "")
        self.seen.append(path)
        if self.path_part in scope["path"] and not self.healed:
            self._matched += 1
            if self._matched <= self.fail_first or (self.fail_after and self._matched > self.fail_after):
                await send({"type": "http.response.start", "status": 500,
                            "headers": [(b"content-type", b"text/plain")]})
                await send({"type": "http.response.body", "body": b"injected failure"})
                return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]
                   if k.lower() not in (b"host", b"content-length")}
        async with httpx.AsyncClient(base_url=self.target, timeout=30) as client:
            answer = await client.get(path, headers=headers)
        await send({"type": "http.response.start", "status": answer.status_code,
                    "headers": [(b"content-type", answer.headers.get("content-type", "").encode())]})
        await send({"type": "http.response.body", "body": answer.content})
