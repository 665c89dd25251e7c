"""One JSON line per request: to a stream (``strangler proxy serve``) or a logger (library use).

Fields: ``ts``, ``request_id``, ``method``, ``path`` (normalised, no query), ``query`` (with
token/password/key-like values redacted), ``route``, ``upstream``, ``status``, ``duration_ms``,
``client``, and ``error`` when the proxy answered for the upstream. No header is ever written,
so ``Authorization``, ``Cookie`` and ``Set-Cookie`` cannot leak into the log.

Writing to a stream skips ``logging``'s record machinery (about 30 us a line here, most of
the proxy's own per-request cost); the app flushes the stream once a second, so lines arrive
promptly without a syscall per request.
"""

from __future__ import annotations

import logging
import time
from json.encoder import encode_basestring_ascii as _enc
from typing import TextIO

from strangler_proxy.headers import redact_query

__all__ = ["AccessLog"]


class AccessLog:
    def __init__(self, *, enabled: bool = True, stream: TextIO | None = None,
                 logger: logging.Logger | None = None) -> None:
        self.enabled = enabled
        self.stream = stream
        self.logger = logger or logging.getLogger("strangler_proxy.access")
        # (method, route, upstream, client) -> their encoded fields: these repeat, so each
        # mix is encoded once (bounded: clients behind a load balancer are few)
        self._tails: dict[tuple[str, str, str, str], str] = {}
        self._ts_ms = -1  # the millisecond whose "ts" text is in _ts
        self._ts = ""

    def record(self, request_id: str, method: str, path: str, query: bytes, route: str,
               upstream: str, status: int, duration: float, client: str,
               error: str | None = None) -> None:
        if not self.enabled:
            return
        if self.stream is None and not self.logger.isEnabledFor(logging.INFO):
            return
        # Built by hand around the C string encoder: json.dumps of a dict costs ~3x more.
        now = time.time()
        if int(now * 1000) != self._ts_ms:  # a busy worker writes many lines a millisecond
            self._ts_ms, self._ts = int(now * 1000), f"{now:.3f}"
        key = (method, route, upstream, client)
        tail = self._tails.get(key)
        if tail is None:
            tail = (f',"method":{_enc(method)},"route":{_enc(route)},'
                    f'"upstream":{_enc(upstream)},"client":{_enc(client)}')
            if len(self._tails) < 4096:
                self._tails[key] = tail
        line = (f'{{"ts":{self._ts},"request_id":{_enc(request_id)},"path":{_enc(path)},'
                f'"status":{status},"duration_ms":{duration * 1000:.3f}{tail}')
        if query:
            line += f',"query":{_enc(redact_query(query))}'
        if error:
            line += f',"error":{_enc(error)}'
        if self.stream is not None:
            self.stream.write(line + "}\n")
        else:
            self.logger.info(line + "}")

    def flush(self) -> None:
        if self.stream is not None:
            self.stream.flush()
