"""Plain copies of a request and a response, as the shadow path keeps them.

Headers are ``(name, value)`` string pairs in arrival order (repeats kept: two
``Set-Cookie`` lines stay two pairs). Bodies are bounded copies: ``truncated`` says
the real body was longer than what was kept.
"""

from __future__ import annotations

from dataclasses import dataclass

Headers = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestSnapshot:
    method: str
    path: str  # path and query string as forwarded: "/api/titles/?page=2"
    headers: Headers = ()
    body: bytes = b""
    truncated: bool = False

    def header(self, name: str) -> str | None:
        return first_header(self.headers, name)


@dataclass(frozen=True, slots=True, kw_only=True)
class ResponseSnapshot:
    status: int
    headers: Headers = ()
    body: bytes = b""
    truncated: bool = False
    latency_ms: float | None = None

    def header(self, name: str) -> str | None:
        return first_header(self.headers, name)

    @property
    def content_type(self) -> str:
        return (self.header("content-type") or "").lower()


def first_header(headers: Headers, name: str) -> str | None:
    lower = name.lower()
    for key, value in headers:
        if key.lower() == lower:
            return value
    return None


def headers_from_asgi(raw: list[tuple[bytes, bytes]] | tuple[tuple[bytes, bytes], ...]
                      ) -> Headers:
    """ASGI header pairs (bytes, latin-1 per the spec) as string pairs."""
    return tuple((k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in raw)
