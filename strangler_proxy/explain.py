"""Text renderings of a route table for ``strangler proxy check``: pure string functions."""

from __future__ import annotations

from collections.abc import Mapping

from strangler_proxy.normalize import normalize_path
from strangler_proxy.routes import Route, RouteTable

__all__ = ["explain", "render_table"]


def render_table(table: RouteTable) -> str:
    """The effective table: upstreams, then routes in the order they are tried."""
    lines = [f"routes file: {table.source}", f"default upstream: {table.default}", "",
             "upstreams:"]
    for name, spec in sorted(table.upstreams.items()):
        extras = [f"timeouts connect={spec.connect_timeout:g}s read={spec.read_timeout:g}s",
                  f"circuit {spec.circuit.failures} failures/{spec.circuit.cooldown:g}s"]
        if spec.health_check is not None:
            extras.append(f"health {spec.health_check.path} every {spec.health_check.interval:g}s")
        lines.append(f"  {name:<16} {spec.url:<28} {', '.join(extras)}")
    lines += ["", "routes (most specific first):"]
    if not table.routes:
        lines.append("  (none: every request goes to the default upstream)")
    rows = [("#", "name", "match", "stage", "upstream", "policy", "conditions", "line")]
    for position, route in enumerate(table.routes, start=1):
        rows.append((str(position), route.name, str(route.match), _stage(route),
                     route.upstream or table.default, _policy(route, table.default),
                     _conditions(route), str(route.line)))
    if table.routes:
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            lines.append(("  " + "  ".join(cells)).rstrip())
    lines.append(f"\ninternal endpoints: {table.proxy.internal_prefix}health, "
                 f"{table.proxy.internal_prefix}ready, {table.proxy.internal_prefix}metrics")
    return "\n".join(lines)


def _stage(route: Route) -> str:
    if route.stage == "canary":
        return f"canary {route.percent}%"
    if route.stage == "service" and route.reverse_shadow:
        return "service+reverse"
    return route.stage


def _policy(route: Route, default: str) -> str:
    """What the stage does beyond routing: the shadow copy or the canary split."""
    policy = route.policy
    parts = []
    shadow = policy.shadow
    target = (route.upstream if route.stage == "shadow"
              else default if route.stage == "service" and route.reverse_shadow else None)
    if target is not None:
        parts.append(f"copy->{target} {shadow.sample_rate:.0%} "
                     f"{','.join(sorted(shadow.methods))} <={shadow.max_body_bytes}B "
                     f"{shadow.timeout:g}s" + (" learn-noise" if shadow.learn_noise else ""))
    if route.stage == "canary" or (route.stage == "shadow" and route.upstream):
        steps = "/".join(str(s) for s in policy.canary_steps)
        parts.append(f"sticky={policy.canary.sticky} steps={steps}")
    if policy.auto_rollback.enabled:
        parts.append(f"auto-rollback>{policy.auto_rollback.error_budget:.0%}")
    if route.identity:
        parts.append("identity")
    return " ".join(parts) or "-"


def _conditions(route: Route) -> str:
    parts = []
    if route.methods is not None:
        parts.append("methods=" + ",".join(sorted(route.methods)))
    if route.hosts:
        parts.append("hosts=" + ",".join(route.hosts))
    parts += [f"{name}={value}" for name, value in route.headers]
    if route.strip_prefix:
        parts.append(f"strip={route.strip_prefix}")
    if route.add_prefix:
        parts.append(f"add={route.add_prefix}")
    if route.fallback:
        parts.append("fallback")
    return " ".join(parts) or "-"


def explain(table: RouteTable, target: str, *, method: str = "GET", host: str = "",
            headers: Mapping[str, str] | None = None) -> str:
    """Which route wins for ``method target`` and why; raises ``BadRequest`` like the proxy."""
    headers = dict(headers or {})
    raw_path, _, query = target.partition("?")
    path = normalize_path(raw_path.encode("utf-8"))
    lines = [f"\nexplain {method} {target}" + (f" (host {host})" if host else "")]
    if path != raw_path:
        lines.append(f"  normalised path: {path}")
    if path.startswith(table.proxy.internal_prefix):
        lines.append(f"  answered by the proxy itself ({table.proxy.internal_prefix} prefix)")
        return "\n".join(lines)
    for name, verdict in table.explain(method, host, path, headers):
        lines.append(f"  {'->' if verdict == 'matched' else '  '} {name}: {verdict}")
    decision = table.decide(method, host, path, headers, "")
    forwarded = decision.forward_path + (f"?{query}" if query else "")
    lines.append(f"  winner: {decision.route_name} ({decision.reason})")
    lines.append(f"  forwarded to: {decision.primary} {table.upstreams[decision.primary].url}"
                 f"{forwarded}")
    if decision.shadow:
        lines.append(f"  shadow copy to: {decision.shadow} (safe methods, off the response "
                     "path)")
    if decision.fallback:
        lines.append(f"  on failure (idempotent methods): {decision.fallback}")
    return "\n".join(lines)
