"""Send a shadow copy of a request with httpx and keep a bounded copy of the answer.

Off the response path only (the forwarding hot path has its own client). The client is
built without a usable cookie jar: a ``Set-Cookie`` from one user's shadow answer must
never ride along on another user's shadow request.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx

from strangler_proxy.body_tap import BoundedBodyTap
from strangler_proxy.snapshots import RequestSnapshot, ResponseSnapshot

SHADOW_HEADER = "x-strangler-shadow"
SendFn = Callable[[RequestSnapshot], Awaitable[ResponseSnapshot]]
# hop-by-hop and framing headers are the client's business, not copied
_NOT_COPIED = frozenset({"connection", "keep-alive", "proxy-connection", "te", "trailer",
                         "transfer-encoding", "upgrade", "host", "content-length",
                         "proxy-authorization", "proxy-authenticate"})


def make_shadow_client(*, timeout: float, max_connections: int = 20) -> httpx.AsyncClient:
    """An ``AsyncClient`` whose cookie jar refuses every cookie."""
    jar = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout), cookies=jar, follow_redirects=False, trust_env=False,
        limits=httpx.Limits(max_connections=max_connections,
                            max_keepalive_connections=max_connections))


def httpx_sender(client: httpx.AsyncClient, base_url: str, *, max_body: int,
                 marker: bool = True) -> SendFn:
    """A ``send_to_candidate`` for :class:`ShadowQueue` aimed at ``base_url``.

    Adds ``X-Strangler-Shadow: 1`` (so the service can suppress side effects) and reads
    the raw body (content coding kept, as the primary tap sees it) up to ``max_body``.
    """
    base = base_url.rstrip("/")

    async def send(request: RequestSnapshot) -> ResponseSnapshot:
        headers = [(k, v) for k, v in request.headers if k.lower() not in _NOT_COPIED]
        if marker:
            headers.append((SHADOW_HEADER, "1"))
        started = time.perf_counter()
        built = client.build_request(request.method, base + request.path, headers=headers,
                                     content=request.body or None)
        response = await client.send(built, stream=True)
        tap = BoundedBodyTap(max_body)
        try:
            async for chunk in response.aiter_raw():
                tap.feed(chunk)
                if tap.overflowed:
                    break  # nothing compares a prefix: stop reading
        finally:
            await response.aclose()
        return ResponseSnapshot(
            status=response.status_code,
            headers=tuple((k.lower(), v) for k, v in response.headers.multi_items()),
            body=tap.body, truncated=tap.overflowed,
            latency_ms=(time.perf_counter() - started) * 1000)

    return send
