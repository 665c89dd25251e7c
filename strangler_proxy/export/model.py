"""An engine-neutral view of a validated route table, the one input of every exporter.

Built from the proxy's own ``RouteTable`` (so the loader's validation applies) plus each
route's ``RoutePolicy`` (shadow, canary, gates: ``strangler_proxy.policies``). Everything an
exporter needs is computed here once: the upstream's host and port, which side answers, which
side gets a copy, the rewrite, the canary key. Values are frozen and ordered by the table's
precedence, so every exporter is a pure function of this value and output is deterministic.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from strangler_proxy.canary import CanaryConfig, StickyKey
from strangler_proxy.policies import RoutePolicy
from strangler_proxy.routes import PathMatch, ProxySettings, Route, RouteTable, UpstreamSpec

__all__ = ["IDEMPOTENT", "SAFE", "Backend", "ExportModel", "ExportRoute", "build_model"]

# The proxy's own sets (strangler_proxy.forward.IDEMPOTENT, shadow_queue.SAFE_METHODS); the
# exporter must not import the request path, so they are repeated here and pinned by a test.
IDEMPOTENT: frozenset[str] = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
SAFE: frozenset[str] = frozenset({"GET", "HEAD", "OPTIONS"})
ALL_METHODS: tuple[str, ...] = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT",
                                "TRACE")


@dataclass(frozen=True, kw_only=True, slots=True)
class Backend:
    """One upstream as an engine sees it: an address plus its limits."""

    spec: UpstreamSpec
    host: str
    port: int

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def address(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


@dataclass(frozen=True, kw_only=True, slots=True)
class ExportRoute:
    route: Route
    policy: RoutePolicy
    default: str  # the default upstream (the monolith)

    @property
    def name(self) -> str:
        return self.route.name

    @property
    def match(self) -> PathMatch:
        return self.route.match

    @property
    def methods(self) -> tuple[str, ...] | None:
        return None if self.route.methods is None else tuple(sorted(self.route.methods))

    @property
    def stage(self) -> str:
        return "monolith" if self.route.upstream is None else self.route.stage

    @property
    def service(self) -> str | None:
        return self.route.upstream

    @property
    def conditional(self) -> bool:
        """True when more than the path decides (methods, hosts or headers)."""
        return self.route.methods is not None or bool(self.route.hosts or self.route.headers)

    @property
    def percent(self) -> int:
        """Share answered by the service: 0 for monolith/shadow, 100 for service."""
        return {"canary": self.route.percent, "service": 100}.get(self.stage, 0)

    @property
    def primary(self) -> str:
        """The upstream answering when the share is all-or-nothing (not a split canary)."""
        return self.service if self.percent == 100 and self.service else self.default

    @property
    def split(self) -> bool:
        return self.stage == "canary" and 0 < self.percent < 100

    @property
    def mirror(self) -> str | None:
        """The upstream that gets a copy: the service in shadow, the monolith in reverse shadow."""
        if self.stage == "shadow":
            return self.service
        if self.stage == "service" and self.policy.reverse_shadow and self.service != self.default:
            return self.default
        return None

    @property
    def canary(self) -> CanaryConfig:
        """The policy's canary settings, with the sticky key the routes file names."""
        sticky = self.route.sticky
        if sticky is None:
            return self.policy.canary
        name = sticky.name.lower() if sticky.source == "header" else sticky.name
        return replace(self.policy.canary, sticky=StickyKey(sticky.source, name))

    @property
    def rewrites(self) -> bool:
        return bool(self.route.strip_prefix or self.route.add_prefix)

    def rewrite_regex(self) -> tuple[str, str]:
        """(regex, replacement with ``{rest}`` for the captured rest) equal to ``Route.rewrite``."""
        strip, add = self.route.strip_prefix, self.route.add_prefix.rstrip("/")
        # Route.rewrite: strip when the path starts with strip_prefix, keep one leading '/',
        # then always prepend add_prefix; the optional group makes the regex match every path.
        head = f"(?:{_regex_literal(strip)})?" if strip else ""
        return f"^{head}/?(.*)$", f"{add}/{{rest}}"

    def pattern_regex(self) -> str:
        """The route's path as an anchored regex (``{param}`` -> one non-empty segment)."""
        parts = ["[^/]+" if s.startswith("{") else _regex_literal(s)
                 for s in self.match.value.split("/")]
        return "^" + "/".join(parts) + "$"


@dataclass(frozen=True, kw_only=True, slots=True)
class ExportModel:
    source: str
    default: str
    backends: Mapping[str, Backend]
    routes: tuple[ExportRoute, ...]  # precedence order: the first that matches wins
    proxy: ProxySettings

    def backend(self, name: str) -> Backend:
        return self.backends[name]

    def all_backends(self) -> list[Backend]:
        """Every upstream of the file, in name order (exported whether a route uses it or not)."""
        return [self.backends[name] for name in sorted(self.backends)]


def build_model(table: RouteTable, policies: Mapping[str, RoutePolicy]) -> ExportModel:
    """The export view of ``table``; ``policies`` maps route names to their policies."""
    backends = {}
    for name, spec in table.upstreams.items():
        parts = urlsplit(spec.url)
        backends[name] = Backend(spec=spec, host=parts.hostname or "127.0.0.1",
                                 port=parts.port or 80)
    routes = tuple(ExportRoute(route=route, policy=policies.get(route.name, RoutePolicy()),
                               default=table.default) for route in table.routes)
    return ExportModel(source=table.source, default=table.default, backends=backends,
                       routes=routes, proxy=table.proxy)


def _regex_literal(text: str) -> str:
    # Escape only what is special in PCRE and RE2 alike; '/' and '-' stay readable.
    return "".join("\\" + c if c in ".^$*+?()[]{}|\\" else c for c in text)
