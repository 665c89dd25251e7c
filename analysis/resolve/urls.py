"""URLconf resolution: accumulate prefixes from the root URLconf through ``include``s and
DRF routers, so every pattern maps to its view.

Roots are ``ROOT_URLCONF`` when a settings module names an analysed module, plus every
module with URL entries that nothing includes (patterns under those are still listed,
``reachable`` False when a ROOT_URLCONF exists and does not reach them).
"""

from __future__ import annotations

from collections.abc import Callable

from analysis.facts import FileFacts, UrlFact
from analysis.records import EdgeRecord, Location, UrlPattern
from analysis.resolve.names import NameIndex

_MAX_DEPTH = 12


def join_route(prefix: str, route: str) -> str:
    """Join URL pieces the way Django concatenates them, dropping regex anchors."""
    piece = route.removeprefix("^")
    if prefix.endswith("$"):
        prefix = prefix[:-1]
    return prefix + piece


def _display(pattern: str) -> str:
    text = pattern.removesuffix("$")
    return "/" + text.lstrip("/")


class UrlResolver:
    def __init__(
        self,
        facts: dict[str, FileFacts],
        names: NameIndex,
        file_of: Callable[[str], str],
        root_urlconf: str,
    ) -> None:
        self._names = names
        self._file_of = file_of
        self._urls = {module: f.urls for module, f in facts.items() if f.urls}
        self._root = root_urlconf if root_urlconf in self._urls else ""
        self.patterns: list[UrlPattern] = []
        self.edges: list[EdgeRecord] = []

    def run(self) -> None:
        included: set[str] = set()
        for module, urls in self._urls.items():
            for fact in urls:
                if fact.kind == "include":
                    target = self._include_target(module, fact)
                    if target:
                        included.add(target[0])
                self._edge(module, fact)
        visited: set[str] = set()
        if self._root:
            self._walk(self._root, "urlpatterns", "", True, visited, 0)
        for module in sorted(self._urls):
            if module not in included and module != self._root:
                self._walk(module, "urlpatterns", "", not self._root, visited, 0)
        for module in sorted(self._urls):  # included only by unknown code: keep them listed
            if module not in {v.partition("|")[0] for v in visited}:
                self._walk(module, "urlpatterns", "", False, visited, 0)
        self.patterns.sort(key=lambda p: (p.pattern, p.file, p.line))

    def _include_target(self, module: str, fact: UrlFact) -> tuple[str, str] | None:
        """(urls module, container) an include points at."""
        if fact.literal:
            return (fact.target, "urlpatterns") if fact.target in self._urls else None
        head, _, attribute = fact.target.rpartition(".")
        if attribute == "urls" and head:  # router.urls
            target = self._names.resolve(module, head)
            if target is not None and target.kind == "variable":
                return target.module, target.name
            return module, head
        target = self._names.resolve(module, fact.target)
        if target is not None and target.kind == "module" and target.module in self._urls:
            return target.module, "urlpatterns"
        return None

    def _edge(self, module: str, fact: UrlFact) -> None:
        location = Location(self._file_of(module), fact.line)
        if fact.kind == "include":
            target = self._include_target(module, fact)
            if target and target[0] != module:
                self.edges.append(EdgeRecord(module, target[0], "url", location, "include"))
            return
        view = self._view(module, fact)
        if view:
            detail = "router" if fact.kind == "register" else "view"
            self.edges.append(EdgeRecord(module, view, "url", location, detail))

    def _view(self, module: str, fact: UrlFact) -> str:
        target = self._names.resolve(module, fact.target)
        if target is None or target.kind not in {"symbol", "module", "variable"}:
            return ""
        return target.node_id or ""

    def _walk(
        self, module: str, container: str, prefix: str, reachable: bool, seen: set[str], depth: int
    ) -> None:
        key = f"{module}|{container}|{prefix}"
        if key in seen or depth > _MAX_DEPTH:
            return
        seen.add(key)
        for fact in self._urls.get(module, ()):
            if fact.container != container and not (
                container == "urlpatterns" and fact.kind != "register"
            ):
                continue
            route = join_route(prefix, fact.route)
            if fact.kind == "include":
                target = self._include_target(module, fact)
                if target:
                    self._walk(target[0], target[1], route, reachable, seen, depth + 1)
                continue
            if fact.kind == "register" and container == "urlpatterns":
                continue
            if fact.kind == "register":
                route = join_route(prefix, fact.route.strip("/") + "/")
            self.patterns.append(
                UrlPattern(
                    _display(route),
                    self._view(module, fact),
                    self._file_of(module),
                    fact.line,
                    fact.name,
                    reachable,
                )
            )
