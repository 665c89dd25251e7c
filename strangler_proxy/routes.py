"""The route table: immutable values and matching, no I/O.

"Where does this request go?" is answered here, without a socket::

    table = load_table("routes.toml")                       # routes_file
    decision = table.decide("GET", "shop.example", "/api/catalog/titles/3", headers, "10.0.0.7")
    decision.route.name, decision.primary, decision.forward_path

Routes are tried most specific first (see ``Route.specificity``): exact paths, then patterns,
then prefixes; a longer literal beats a shorter one; a route with more conditions (methods,
hosts, headers) beats one with fewer; file order breaks ties. Requests no route matches go to
``default``.

Stages: ``monolith`` sends the route to the default upstream; ``shadow`` too, with
``Decision.shadow`` naming the service that gets a copy; ``canary`` sends the sticky share
chosen by ``strangler_proxy.canary`` (override header/cookie, sticky key) to the service;
``service`` sends everything to the service, and with ``reverse_shadow`` copies it to the
monolith. ``decide(canary=...)`` replaces the bucketing function (tests).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from strangler_proxy.canary import StickyKey, decide_headers
from strangler_proxy.policies import RoutePolicy, StateOptions
from strangler_proxy.route_index import RouteIndex

__all__ = [
    "STAGES",
    "AdminSettings",
    "CanaryBucket",
    "CircuitSettings",
    "Decision",
    "HealthCheck",
    "PathMatch",
    "ProxySettings",
    "Route",
    "RouteTable",
    "UpstreamSpec",
    "canary_share",
]

Stage = Literal["monolith", "shadow", "canary", "service"]
STAGES: tuple[str, ...] = ("monolith", "shadow", "canary", "service")
MatchKind = Literal["exact", "pattern", "prefix"]
# (route, lower-case headers, client address) -> True when the service answers this request.
CanaryBucket = Callable[["Route", Mapping[str, str], str], bool]

DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_READ_TIMEOUT = 30.0
DEFAULT_WRITE_TIMEOUT = 30.0
DEFAULT_POOL_TIMEOUT = 5.0
DEFAULT_MAX_CONNECTIONS = 100
DEFAULT_MAX_IDLE_CONNECTIONS = 32
DEFAULT_IDLE_TIMEOUT = 30.0
DEFAULT_MAX_HEADER_BYTES = 16 * 1024
DEFAULT_MAX_BODY_BYTES = 0  # 0: no limit; the body streams and is never held in memory
# Client connections one worker keeps open at once (nginx's worker_connections); 0: no cap.
DEFAULT_MAX_CLIENT_CONNECTIONS = 4096


@dataclass(frozen=True, kw_only=True, slots=True)
class HealthCheck:
    path: str = "/"
    interval: float = 10.0
    timeout: float = 2.0


@dataclass(frozen=True, kw_only=True, slots=True)
class CircuitSettings:
    failures: int = 5  # consecutive failures that open the circuit; 0 disables it
    cooldown: float = 10.0  # seconds before one half-open probe is let through


@dataclass(frozen=True, kw_only=True, slots=True)
class UpstreamSpec:
    name: str
    url: str
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    read_timeout: float = DEFAULT_READ_TIMEOUT
    write_timeout: float = DEFAULT_WRITE_TIMEOUT
    pool_timeout: float = DEFAULT_POOL_TIMEOUT
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    max_idle_connections: int = DEFAULT_MAX_IDLE_CONNECTIONS
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT
    retries: int = 1
    health_check: HealthCheck | None = None
    circuit: CircuitSettings = field(default_factory=CircuitSettings)

    def pool_key(self) -> tuple[object, ...]:
        """Everything that shapes the pool: a reload reuses a pool whose key is unchanged."""
        return (self.url, self.connect_timeout, self.read_timeout, self.write_timeout,
                self.pool_timeout, self.max_connections, self.max_idle_connections,
                self.idle_timeout)


@dataclass(frozen=True, slots=True)
class PathMatch:
    """A path condition: ``prefix`` (at a segment boundary), ``exact`` or ``pattern``."""

    kind: MatchKind
    value: str

    def matches(self, path: str) -> bool:
        if self.kind == "exact":
            return path == self.value
        if self.kind == "prefix":
            if path.startswith(self.value):
                # "/api/catalog" matches "/api/catalog" and "/api/catalog/x", not "/api/catalogue"
                return (self.value.endswith("/") or len(path) == len(self.value)
                        or path[len(self.value)] == "/")
            return False
        want = self.value.split("/")
        got = path.split("/")
        if len(want) != len(got):
            return False
        for pattern_segment, segment in zip(want, got, strict=True):
            if pattern_segment.startswith("{") and pattern_segment.endswith("}"):
                if not segment:
                    return False
            elif pattern_segment != segment:
                return False
        return True

    def specificity(self) -> tuple[int, int]:
        kind_rank = {"exact": 3, "pattern": 2, "prefix": 1}[self.kind]
        if self.kind == "pattern":
            literal = sum(len(s) for s in self.value.split("/") if not s.startswith("{"))
            return kind_rank, literal
        return kind_rank, len(self.value)

    def __str__(self) -> str:
        return f"{self.kind} {self.value}"


@dataclass(frozen=True, kw_only=True, slots=True)
class Route:
    name: str
    match: PathMatch
    stage: Stage = "monolith"
    upstream: str | None = None  # the service; None pins the route to the default upstream
    methods: frozenset[str] | None = None
    hosts: tuple[str, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()  # lower-case name, exact value
    percent: int = 0
    sticky: StickyKey | None = None  # as written in the file (``policy.canary.sticky`` rules)
    strip_prefix: str = ""
    add_prefix: str = ""
    fallback: bool = False
    identity: bool = False  # sign the caller's identity for the service (X-Strangler-Identity)
    reverse_shadow: bool = False  # stage service: the monolith still gets a copy
    policy: RoutePolicy = field(default_factory=RoutePolicy)
    index: int = 0  # position in the file, the last tie-breaker
    line: int = 0

    def specificity(self) -> tuple[int, int, int, int]:
        conditions = (self.methods is not None) + bool(self.hosts) + len(self.headers)
        return (*self.match.specificity(), conditions, -self.index)

    def why_not(self, method: str, host: str, path: str,
                headers: Mapping[str, str]) -> str | None:
        """None when the route matches, else the first condition that failed, in words."""
        if not self.match.matches(path):
            return f"path does not match {self.match}"
        if self.methods is not None and method not in self.methods:
            return f"method {method} not in {sorted(self.methods)}"
        if self.hosts and host_without_port(host) not in self.hosts:
            return f"host {host!r} not in {list(self.hosts)}"
        for name, value in self.headers:
            if headers.get(name) != value:
                return f"header {name} is not {value!r}"
        return None

    def accepts(self, method: str, host: str, headers: Mapping[str, str]) -> bool:
        """``why_not`` without the path and without building the words (the request path)."""
        if self.methods is not None and method not in self.methods:
            return False
        if self.hosts and host_without_port(host) not in self.hosts:
            return False
        for name, value in self.headers:
            if headers.get(name) != value:
                return False
        return True

    def rewrite(self, path: str) -> str:
        """The path sent to the route's own upstream (never applied on the way to the monolith)."""
        if self.strip_prefix and path.startswith(self.strip_prefix):
            path = path[len(self.strip_prefix):]
            if not path.startswith("/"):
                path = "/" + path
        if self.add_prefix:
            path = self.add_prefix.rstrip("/") + path
        return path


@dataclass(frozen=True, kw_only=True, slots=True)
class ProxySettings:
    trusted_proxies: tuple[str, ...] = ()  # CIDRs whose X-Forwarded-*/Forwarded are believed
    internal_prefix: str = "/-/"
    max_header_bytes: int = DEFAULT_MAX_HEADER_BYTES
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    client_body_timeout: float = 60.0  # seconds without a byte of a request body -> 408
    client_send_timeout: float = 60.0  # seconds a client may read nothing of its response
    max_client_connections: int = DEFAULT_MAX_CLIENT_CONNECTIONS  # per worker; 0: no cap
    access_log: bool = True
    preserve_host: bool = True  # send the client's Host upstream (False: the upstream's host)
    watch: bool = True  # reload when the file changes (SIGHUP always reloads)
    demo: bool = False  # demo mode: sign identities with the public demo keyring
    fast_path: bool = True  # relay pass-through GETs without ASGI (strangler_proxy.relay)


@dataclass(frozen=True, kw_only=True, slots=True)
class AdminSettings:
    listen: str = "127.0.0.1:8081"
    token_env: str = "STRANGLER_ADMIN_TOKEN"
    allow_remote: bool = False  # must be true to bind a non-loopback address


@dataclass(slots=True)  # not frozen, positional in ``decide``: on every request's path
class Decision:
    """Where one request goes. ``route`` is None for the default upstream."""

    route: Route | None
    primary: str  # upstream name
    forward_path: str  # the normalised path, rewritten when the primary is the route's service
    shadow: str | None = None  # the upstream that gets a copy (shadow, reverse shadow)
    fallback: str | None = None  # upstream to retry a failed idempotent request on
    reason: str = ""

    @property
    def route_name(self) -> str:
        return self.route.name if self.route is not None else "default"


@dataclass(frozen=True, kw_only=True)
class RouteTable:
    """An immutable route table; build it with ``routes_file.load_table`` or directly."""

    default: str
    upstreams: Mapping[str, UpstreamSpec]
    routes: Sequence[Route] = ()
    proxy: ProxySettings = field(default_factory=ProxySettings)
    admin: AdminSettings = field(default_factory=AdminSettings)
    state_store: str = ""
    state: StateOptions = field(default_factory=StateOptions)
    source: str = ""

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.routes, key=Route.specificity, reverse=True))
        object.__setattr__(self, "routes", ordered)

    @cached_property
    def _index(self) -> RouteIndex:
        return RouteIndex(self.routes)

    @cached_property
    def _reasons(self) -> dict[tuple[int, str], str]:
        """``Decision.reason`` per (route, outcome), formatted once, not per request."""
        reasons: dict[tuple[int, str], str] = {}
        for r in self.routes:
            reasons[(id(r), "monolith")] = f"route {r.name} is at stage monolith"
            reasons[(id(r), "shadow")] = f"route {r.name} shadows {r.upstream}"
            reasons[(id(r), "outside")] = f"route {r.name}: canary, request outside the share"
            reasons[(id(r), "service")] = f"route {r.name} at stage {r.stage} -> {r.upstream}"
        return reasons

    def match(self, method: str, host: str, path: str,
              headers: Mapping[str, str]) -> Route | None:
        """The first route in precedence order that matches (a dict lookup, not a scan)."""
        return self._index.match(method, host, path, headers)

    def decide(self, method: str, host: str, path: str, headers: Mapping[str, str],
               client: str = "", *, canary: CanaryBucket | None = None) -> Decision:
        """Pick the route and the upstream(s) for one request; ``path`` is already normalised.

        ``headers`` maps lower-case names to values (only those the conditions and sticky keys
        read). ``canary`` decides canary membership (default: :func:`canary_share`).
        """
        # Decision(route, primary, forward_path, shadow, fallback, reason)
        route = self._index.match(method, host, path, headers)
        if route is None:
            return Decision(None, self.default, path, None, None, "no route matched")
        reasons = self._reasons
        stage = route.stage
        if route.upstream is None or stage == "monolith":
            return Decision(route, self.default, path, None, None,
                            reasons[(id(route), "monolith")])
        if stage == "shadow":
            return Decision(route, self.default, path, route.upstream, None,
                            reasons[(id(route), "shadow")])
        if stage == "canary":
            if not (canary or canary_share)(route, headers, client):
                return Decision(route, self.default, path, None, None,
                                reasons[(id(route), "outside")])
        fallback = self.default if route.fallback and route.upstream != self.default else None
        shadow = (self.default if stage == "service" and route.reverse_shadow
                  and route.upstream != self.default else None)
        return Decision(route, route.upstream, route.rewrite(path), shadow, fallback,
                        reasons[(id(route), "service")])

    def explain(self, method: str, host: str, path: str,
                headers: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
        """Each route in precedence order with ``matched`` or why it did not match."""
        headers = headers or {}
        rows: list[tuple[str, str]] = []
        for route in self.routes:
            why = route.why_not(method, host, path, headers)
            rows.append((route.name, "matched" if why is None else why))
            if why is None:
                break
        return rows


def host_without_port(host: str) -> str:
    host = host.lower()
    if host.startswith("["):
        return host.partition("]")[0] + "]"
    return host.rpartition(":")[0] if host.count(":") == 1 else host


def canary_share(route: Route, headers: Mapping[str, str], client: str) -> bool:
    """True when this request is in the route's sticky canary share (or forced there)."""
    decision = decide_headers(headers, route.name, route.percent, route.policy.canary,
                              client=client)
    return decision.side == "service"
