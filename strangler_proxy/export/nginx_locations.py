"""The nginx ``server`` block: one location per distinct path match, routes dispatched inside.

nginx picks a location by path alone: exact (``=``) first, then regex locations in file
order, then the longest prefix. That is the table's own order (exact, pattern, prefix; longer
literal first) as long as prefixes are plain, not ``^~`` (which would hide the patterns under
them). Inside a location the routes that can match there are tried in precedence order: a
route with methods/hosts/headers jumps to its named location (``return`` + ``error_page``),
the first unconditional route is served in place, and the default upstream ends the list,
so a request a conditional route rejects falls through exactly as in strangler.

A prefix without a trailing slash (``/api/catalog``) is two locations, ``= /api/catalog`` and
``/api/catalog/``: plain ``/api/catalog`` would also take ``/api/catalogue``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from strangler_proxy.export.limitations import Limitation
from strangler_proxy.export.model import ExportModel, ExportRoute
from strangler_proxy.export.nginx_body import proxy_body
from strangler_proxy.export.nginx_syntax import block, ident, quote
from strangler_proxy.routes import PathMatch

__all__ = ["locations"]

_FIRST_CODE = 561  # error_page codes used only to jump to a named location (561-599 unused)
_LAST_CODE = 599
_NEEDS_QUOTES = re.compile(r"[\s;{}\"'\\$#]")


@dataclass(frozen=True, order=True, slots=True)
class _Location:
    rank: int  # 0 exact, 1 regex, 2 prefix: the order they are written in
    key: str  # sort key inside the rank
    kind: str  # "exact" | "regex" | "prefix"
    value: str  # path, or the regex

    def header(self) -> str:
        if self.kind == "regex":
            return f"location ~ {quote(self.value)}"
        # a path with characters the config parser reads as syntax is written quoted
        value = quote(self.value) if _NEEDS_QUOTES.search(self.value) else self.value
        return f"location = {value}" if self.kind == "exact" else f"location {value}"

    def covered_by(self, match: PathMatch, pattern: str = "") -> bool:
        """Whether every path of this location matches ``match``."""
        if self.kind == "exact":
            return match.matches(self.value)
        if self.kind == "prefix":
            # "\0" never appears in a route, so this asks "does match cover all of value*"
            return match.kind == "prefix" and match.matches(self.value + "\0")
        if match.kind == "pattern":
            return pattern == self.value
        if match.kind != "prefix":
            return False
        literal = self.key.split("{", 1)[0]  # the pattern's text before its first parameter
        return match.matches(literal + "\0") if "{" in self.key else match.matches(literal)


def _locations_of(route: ExportRoute) -> list[_Location]:
    match = route.match
    if match.kind == "exact":
        return [_Location(0, match.value, "exact", match.value)]
    if match.kind == "pattern":
        return [_Location(1, "", "regex", route.pattern_regex())]
    if match.value.endswith("/"):
        return [_Location(2, match.value, "prefix", match.value)]
    return [_Location(0, match.value, "exact", match.value),
            _Location(2, match.value + "/", "prefix", match.value + "/")]


def locations(model: ExportModel, found: list[Limitation]) -> list[str]:
    """Every location of the server block, in the order nginx needs."""
    root = _Location(2, "/", "prefix", "/")
    seen: dict[str, _Location] = {root.header(): root}
    regex_order: list[_Location] = []
    for route in model.routes:  # precedence order, which is the regex order nginx needs
        for loc in _locations_of(route):
            if loc.kind == "regex":
                loc = _Location(1, route.match.value, "regex", loc.value)
                if all(other.value != loc.value for other in regex_order):
                    regex_order.append(loc)
            else:
                seen.setdefault(loc.header(), loc)
    exact = sorted(loc for loc in seen.values() if loc.kind == "exact")
    prefixes = sorted((loc for loc in seen.values() if loc.kind == "prefix"),
                      key=lambda loc: (loc.value == "/", loc.value))
    lines: list[str] = []
    named: dict[str, ExportRoute] = {}
    for loc in [*exact, *regex_order, *prefixes]:
        lines += _dispatch(loc, model, named, found)
        lines.append("")
    for name in sorted(named):
        route = named[name]
        lines += block(f"location @strangler_{ident(name)}",
                       [f"# route {name}: {route.stage}", *proxy_body(route, model, found)])
        lines.append("")
    return lines


def _dispatch(loc: _Location, model: ExportModel, named: dict[str, ExportRoute],
              found: list[Limitation]) -> list[str]:
    body: list[str] = []
    code = _FIRST_CODE
    for route in model.routes:
        pattern = route.pattern_regex() if route.match.kind == "pattern" else ""
        if not loc.covered_by(route.match, pattern):
            continue
        if not route.conditional:
            body += [f"# route {route.name} ({route.match}): {route.stage}",
                     *proxy_body(route, model, found)]
            return block(loc.header(), body)
        if code > _LAST_CODE:
            found.append(Limitation(route.name, "conditions", f"more than "
                                    f"{_LAST_CODE - _FIRST_CODE + 1} conditional routes share "
                                    f"{loc.header()}; this one is not reachable there"))
            continue
        named[route.name] = route
        body += [f"# route {route.name}: {_conditions_text(route)}",
                 f"error_page {code} = @strangler_{ident(route.name)};",
                 f"if ($strangler_when_{ident(route.name)}) {{ return {code}; }}"]
        code += 1
    body += ["# no route matched: the default upstream",
             *proxy_body(None, model, found)]
    return block(loc.header(), body)


def _conditions_text(route: ExportRoute) -> str:
    parts = []
    if route.methods is not None:
        parts.append("methods " + ",".join(route.methods))
    if route.route.hosts:
        parts.append("hosts " + ",".join(route.route.hosts))
    parts.extend(f"header {name}={value!r}" for name, value in route.route.headers)
    return "; ".join(parts)
