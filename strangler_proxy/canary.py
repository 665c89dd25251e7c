"""Sticky canary bucketing: which side serves this request. Pure; a hash per request.

Every key maps to a bucket in ``0..9999`` by a stable hash (BLAKE2b) of the route name
and the key, and a bucket is in the canary when it is below ``percent * 100``. The
threshold only grows with the percent, so raising 10% -> 20% keeps everyone who was in
the first 10% in the canary. Salting with the route name spreads users differently per
route, so one unlucky user is not in every canary at once.

Missing key (e.g. no session cookie yet, on a user's first request), per ``missing``:
- ``"client"`` (default): bucket by the client address instead. Still deterministic, so
  a browser that has not logged in yet does not flap between sides; it may change side
  once it receives its session cookie, which is unavoidable with cookie stickiness.
- ``"monolith"``: stay on the monolith until a key exists (most conservative).
- ``"random"``: a fresh random bucket per request (not sticky), from an injected RNG.

A forced override for testing: the header ``X-Strangler-Canary: service|monolith`` or the
cookie ``strangler_canary=service|monolith`` (names configurable, can be turned off).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, NamedTuple, cast

BUCKETS = 10_000
Side = Literal["service", "monolith"]
Missing = Literal["client", "monolith", "random"]
MISSING_RULES: tuple[str, ...] = ("client", "monolith", "random")
DEFAULT_STICKY = "cookie:sessionid"
DEFAULT_OVERRIDE_HEADER = "x-strangler-canary"
DEFAULT_OVERRIDE_COOKIE = "strangler_canary"


@dataclass(frozen=True, slots=True)
class StickyKey:
    """Where the canary key comes from: ``cookie:NAME``, ``header:NAME`` or ``client``."""

    source: Literal["cookie", "header", "client"]
    name: str = ""

    def __str__(self) -> str:
        return self.source if self.source == "client" else f"{self.source}:{self.name}"

    @property
    def kind(self) -> str:
        """The source under the name the route table and the exporters use."""
        return self.source


@dataclass(frozen=True, slots=True, kw_only=True)
class CanaryConfig:
    sticky: StickyKey = StickyKey("cookie", "sessionid")
    missing: Missing = "client"
    allow_override: bool = True
    override_header: str = DEFAULT_OVERRIDE_HEADER  # lower case
    override_cookie: str = DEFAULT_OVERRIDE_COOKIE


class CanaryDecision(NamedTuple):
    # a NamedTuple, not a frozen dataclass: built once per canary request, so cheap matters
    side: Side
    bucket: int | None  # None when forced or when no bucket was drawn
    reason: Literal["forced", "bucket", "client-fallback", "random", "no-key"]


def parse_sticky(text: str) -> StickyKey:
    """Parse ``cookie:NAME`` / ``header:NAME`` / ``client``; ``ValueError`` says what is wrong."""
    text = text.strip()
    if text == "client":
        return StickyKey("client")
    source, sep, name = text.partition(":")
    if not sep or source not in ("cookie", "header") or not name.strip():
        raise ValueError(f"sticky must be cookie:NAME, header:NAME or client, not {text!r}")
    name = name.strip()
    return StickyKey(source, name.lower() if source == "header" else name)  # type: ignore[arg-type]


def bucket(key: str, route_name: str) -> int:
    """A stable bucket in ``0..9999`` for ``key`` on ``route_name`` (same in every process)."""
    digest = hashlib.blake2b(f"{route_name}\x00{key}".encode("utf-8", "surrogatepass"),
                             digest_size=8).digest()
    return int.from_bytes(digest, "big") % BUCKETS


def in_canary(bucket_: int, percent: float) -> bool:
    """True when the bucket is inside the first ``percent`` percent (0-100, fractions allowed)."""
    return bucket_ < round(percent * (BUCKETS // 100))


def parse_cookies(raw_headers: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    """Cookies from every ``Cookie`` header of an ASGI request (bytes pairs).

    Follows Django's ``parse_cookie``: pairs split on ``;``, a pair without ``=`` is a
    value with an empty name, and a later duplicate wins, so the proxy picks the same
    ``sessionid`` Django would. Surrounding double quotes are removed.
    """
    cookies: dict[str, str] = {}
    for name, value in raw_headers:
        if name.lower() != b"cookie":
            continue
        for chunk in value.decode("latin-1").split(";"):
            key, sep, val = chunk.partition("=")
            key, val = (key.strip(), val.strip()) if sep else ("", key.strip())
            if key or val:
                if len(val) >= 2 and val[0] == val[-1] == '"':
                    val = val[1:-1]
                cookies[key] = val
    return cookies


def extract_key(scope: Mapping[str, object], sticky: StickyKey,
                client: str | None = None) -> str | None:
    """The sticky key of an ASGI request, or ``None`` when it has none.

    ``client`` overrides ``scope["client"]`` (pass the address resolved from trusted
    forwarding headers when the proxy sits behind a load balancer).
    """
    return _extract(_Request(scope), sticky, client or _scope_client(scope))


def forced_side(scope: Mapping[str, object], config: CanaryConfig) -> Side | None:
    """The side forced by the override header or cookie, if any (header wins)."""
    return _forced(_Request(scope), config)


def decide(scope: Mapping[str, object], route_name: str, percent: float, config: CanaryConfig,
           *, client: str | None = None, rng: random.Random | None = None) -> CanaryDecision:
    """Where a canary-stage request goes; see the module docstring for the rules."""
    return _decide(_Request(scope), route_name, percent, config,
                   client=client or _scope_client(scope), rng=rng)


def decide_headers(headers: Mapping[str, str], route_name: str, percent: float,
                   config: CanaryConfig, *, client: str | None = None,
                   rng: random.Random | None = None) -> CanaryDecision:
    """:func:`decide` over a lower-case header mapping (the route table's view of a request)."""
    return _decide(_MappingRequest(headers), route_name, percent, config, client=client or None,
                   rng=rng)


def _decide(request: _Request | _MappingRequest, route_name: str, percent: float,
            config: CanaryConfig, *, client: str | None,
            rng: random.Random | None) -> CanaryDecision:
    forced = _forced(request, config)
    if forced is not None:
        return CanaryDecision(forced, None, "forced")
    key = _extract(request, config.sticky, client)
    reason: Literal["bucket", "client-fallback", "random"] = "bucket"
    if key is None:
        if config.missing == "monolith":
            return CanaryDecision("monolith", None, "no-key")
        if config.missing == "random":
            drawn = (rng or random).randrange(BUCKETS)
            return CanaryDecision("service" if in_canary(drawn, percent) else "monolith",
                                  drawn, "random")
        key = client
        if key is None:
            return CanaryDecision("monolith", None, "no-key")
        key, reason = f"client:{key}", "client-fallback"
    drawn = bucket(key, route_name)
    return CanaryDecision("service" if in_canary(drawn, percent) else "monolith", drawn, reason)


class _Request:
    """Lazy views of one request's headers, so a decision never parses them twice."""

    __slots__ = ("_cookies", "_headers", "raw", "scope")

    def __init__(self, scope: Mapping[str, object]) -> None:
        self.scope = scope
        self.raw = cast(list[tuple[bytes, bytes]], scope.get("headers") or [])
        self._headers: dict[bytes, bytes] | None = None
        self._cookies: dict[str, str] | None = None

    def header(self, name: str) -> str | None:
        if self._headers is None:
            # ASGI servers send lower-case names; lower() keeps hand-built scopes working
            self._headers = {k.lower(): v for k, v in self.raw}
        value = self._headers.get(name.lower().encode("latin-1"))
        return None if value is None else value.decode("latin-1")

    def cookie(self, name: str) -> str | None:
        if self._cookies is None:
            self._cookies = parse_cookies(self.raw)
        return self._cookies.get(name)


class _MappingRequest:
    """The same views over a ``{lower-case name: value}`` mapping."""

    __slots__ = ("_cookies", "headers")

    def __init__(self, headers: Mapping[str, str]) -> None:
        self.headers = headers
        self._cookies: dict[str, str] | None = None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def cookie(self, name: str) -> str | None:
        if self._cookies is None:
            raw = self.headers.get("cookie")
            self._cookies = parse_cookies([(b"cookie", raw.encode("latin-1"))]) if raw else {}
        return self._cookies.get(name)


def _extract(request: _Request | _MappingRequest, sticky: StickyKey,
             client: str | None) -> str | None:
    if sticky.source == "client":
        return client
    value = request.header(sticky.name) if sticky.source == "header" else request.cookie(
        sticky.name)
    return (value.strip() or None) if value is not None else None


def _forced(request: _Request | _MappingRequest, config: CanaryConfig) -> Side | None:
    if not config.allow_override:
        return None
    for value in (request.header(config.override_header),
                  request.cookie(config.override_cookie)):
        side = (value or "").strip().lower()
        if side == "service":
            return "service"
        if side == "monolith":
            return "monolith"
    return None


def _scope_client(scope: Mapping[str, object]) -> str | None:
    client = scope.get("client")
    if isinstance(client, (tuple, list)) and client:
        return str(client[0])
    return None
