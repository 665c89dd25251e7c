"""Route lookup by dictionary instead of a scan: what ``RouteTable.match`` uses per request.

The table's routes are ordered most specific first: every exact route, then every pattern,
then every prefix, longest first. The index keeps that order and only looks where a route
could match:

- exact routes: a dict path -> routes;
- patterns: the routes whose number of segments equals the path's;
- prefixes: a dict value -> routes, looked up with the path's first N characters for each
  length N a prefix route has, longest first, where N ends at a segment boundary (two
  different prefixes of one length cannot both start a path, so longest-first is the
  table's order). A table has few prefix lengths, so this costs a slice and a dict lookup
  or two per request, with no generator to resume.

Within each list the table's order is kept, so the first route whose conditions (methods,
hosts, headers) hold is the route a full scan would find; a property test checks that.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from strangler_proxy.routes import Route

__all__ = ["RouteIndex"]


class RouteIndex:
    __slots__ = ("_exact", "_patterns", "_prefix_lengths", "_prefixes")

    def __init__(self, routes: Sequence[Route]) -> None:
        self._exact: dict[str, list[Route]] = {}
        self._patterns: dict[int, list[Route]] = {}
        self._prefixes: dict[str, list[Route]] = {}
        for route in routes:  # already in precedence order: lists keep it
            kind, value = route.match.kind, route.match.value
            if kind == "exact":
                self._exact.setdefault(value, []).append(route)
            elif kind == "pattern":
                self._patterns.setdefault(value.count("/"), []).append(route)
            else:
                self._prefixes.setdefault(value, []).append(route)
        self._prefix_lengths = tuple(sorted({len(value) for value in self._prefixes},
                                            reverse=True))

    def match(self, method: str, host: str, path: str,
              headers: Mapping[str, str]) -> Route | None:
        """The first route, in the table's order, that matches the request."""
        for route in self._exact.get(path, ()):
            if route.accepts(method, host, headers):
                return route
        for route in self._patterns.get(path.count("/"), ()):
            if route.match.matches(path) and route.accepts(method, host, headers):
                return route
        prefixes = self._prefixes
        size = len(path)
        for length in self._prefix_lengths:
            if length > size:
                continue
            candidate = path[:length]
            found = prefixes.get(candidate)
            # at a segment boundary, as PathMatch.matches: "/api" fits "/api/x", not "/apix"
            if found is None or not (length == size or path[length] == "/"
                                     or candidate.endswith("/")):
                continue
            for route in found:
                if route.accepts(method, host, headers):
                    return route
        return None
