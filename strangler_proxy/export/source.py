"""Read a routes file for export with the proxy's own loader, so the same validation applies.

``load_table`` checks the file (every problem with its line); the route-level policies
(shadow, canary, gates: ``strangler_proxy.policies``) are then read from the same TOML with
``parse_route_policy``, the parser the proxy uses. A policy problem is reported like a
loader problem: ``RoutesFileError`` with the file, the route's line and the key.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from strangler_proxy.errors import Issue, RoutesFileError
from strangler_proxy.export.model import ExportModel, build_model
from strangler_proxy.policies import RoutePolicy, parse_route_policy
from strangler_proxy.routes_file import load_table

__all__ = ["load_model"]


def load_model(path: str | Path) -> ExportModel:
    """Validate ``path`` and build the export model; raise ``RoutesFileError`` on bad input."""
    table = load_table(path)
    raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))  # the loader has read it once
    lines = {route.index: route.line for route in table.routes}
    policies: dict[str, RoutePolicy] = {}
    issues: list[Issue] = []
    for index, body in enumerate(raw.get("routes", [])):
        policy, errors = parse_route_policy(body, f"routes[{index}]")
        issues.extend(Issue(str(path), lines.get(index, 1), e.key, e.message) for e in errors)
        policies[str(body.get("name", ""))] = policy
    if issues:
        raise RoutesFileError(issues)
    return build_model(table, policies)
