"""Route lookup by dictionary instead of a scan: what ``RouteTable.match`` uses per request.

The table's routes are ordered most specific first: every exact route, then every pattern,
then every prefix, longest first. The index keeps that order and only looks where a route
could match:

- exact routes: a dict path -> routes;
- patterns: the routes whose number of segments equals the path's;
- prefixes: a dict value -> routes, looked up with the path's own prefixes at segment
  boundaries, longest first (two different prefixes of one length cannot both start a path,
  so longest-first is the table's order).

Within each list the table's order is kept, so the first route whose conditions (methods,
hosts, headers) hold is the route a full scan would find; a property test checks that.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from strangler_proxy.routes import Route

__all__ = ["RouteIndex", "prefixes_of"]


class RouteIndex:
    __slots__ = ("_exact", "_patterns", "_prefixes")

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
        if prefixes:
            for candidate in prefixes_of(path):
                for route in prefixes.get(candidate, ()):
                    if route.accepts(method, host, headers):
                        return route
        return None


def prefixes_of(path: str) -> Iterable[str]:
    """Every prefix value that matches ``path`` at a segment boundary, longest first: the
    path itself, then for each ``/`` (right to left) the part up to and including it, and
    the part before it."""
    yield path
    end = len(path)
    while True:
        slash = path.rfind("/", 0, end)
        if slash < 0:
            return
        if slash + 1 < len(path):  # path[:slash + 1] == path when the path ends with "/"
            yield path[:slash + 1]
        yield path[:slash]
        end = slash
