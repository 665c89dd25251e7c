"""The monolith's routes to given views, read from its URLconfs with libcst (never imported).

Starting at the root URLconf, ``path(prefix, include("mod"))`` descends with the prefix
added, ``path(prefix, include(router.urls))`` and ``urlpatterns = router.urls`` attach a
router's ``register(...)`` calls, and ``path(route, view.as_view(), name=...)`` is a plain
route. Views are resolved to symbol ids, so the scaffold can keep the same URLs for members.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from analysis.codemods.errors import SourceError
from analysis.codemods.sources import SourceModule, SourceTree, dotted

_PATH_FUNCS = {"path", "re_path", "url"}


@dataclass(frozen=True, order=True)
class RouterRoute:
    prefix: str  # "api/catalog/" (no leading slash, as Django writes it)
    register: str  # "titles"
    view: str  # symbol id
    basename: str | None


@dataclass(frozen=True, order=True)
class PathRoute:
    route: str  # the whole route, prefix included
    view: str
    name: str | None
    as_view: bool
    regex: bool


def _string(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, cst.SimpleString | cst.ConcatenatedString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _kwarg(call: cst.Call, name: str) -> cst.BaseExpression | None:
    return next((a.value for a in call.args if a.keyword and a.keyword.value == name), None)


class _Scan:
    def __init__(self, tree: SourceTree) -> None:
        self.tree = tree
        self.routers: list[RouterRoute] = []
        self.paths: list[PathRoute] = []
        self.seen: set[tuple[str, str]] = set()

    def view_id(self, source: SourceModule, expr: cst.BaseExpression) -> str | None:
        text = dotted(expr) or ""
        head, _, rest = text.partition(".")
        target = self.tree.resolve(source.module_id, head)
        if target is None:
            return None
        if not rest:
            return target if ":" in target else None
        return None if ":" in target else f"{target}:{rest.split('.')[0]}"

    def registrations(self, source: SourceModule) -> dict[str, list[cst.Call]]:
        found: dict[str, list[cst.Call]] = {}
        for statement in source.tree.body:
            for small in statement.body if isinstance(statement, cst.SimpleStatementLine) else ():
                call = small.value if isinstance(small, cst.Expr) else None
                if (isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)
                        and call.func.attr.value == "register"):
                    found.setdefault(dotted(call.func.value) or "", []).append(call)
        return found

    def attach_router(self, source: SourceModule, router: str, prefix: str) -> None:
        for call in self.registrations(source).get(router, []):
            args = [a.value for a in call.args if a.keyword is None]
            view = self.view_id(source, args[1]) if len(args) > 1 else None
            register = _string(args[0]) if args else None
            if view and register is not None:
                basename = _string(_kwarg(call, "basename")) or (
                    _string(args[2]) if len(args) > 2 else None)
                self.routers.append(RouterRoute(prefix, register, view, basename))

    def urlconf(self, module_id: str, prefix: str) -> None:
        if (module_id, prefix) in self.seen or not self.tree.is_module(module_id):
            return
        self.seen.add((module_id, prefix))
        source = self.tree.module(module_id)
        for statement in source.tree.body:
            for small in statement.body if isinstance(statement, cst.SimpleStatementLine) else ():
                if isinstance(small, cst.Assign | cst.AugAssign):
                    target = (small.targets[0].target if isinstance(small, cst.Assign)
                              else small.target)
                    if dotted(target) == "urlpatterns":
                        self.patterns(source, small.value, prefix)

    def patterns(self, source: SourceModule, value: cst.BaseExpression, prefix: str) -> None:
        if isinstance(value, cst.BinaryOperation):
            self.patterns(source, value.left, prefix)
            self.patterns(source, value.right, prefix)
        elif isinstance(value, cst.Attribute) and value.attr.value == "urls":
            self.attach_router(source, dotted(value.value) or "", prefix)
        elif isinstance(value, cst.List | cst.Tuple):
            for element in value.elements:
                if isinstance(element.value, cst.Call):
                    self.entry(source, element.value, prefix)

    def entry(self, source: SourceModule, call: cst.Call, prefix: str) -> None:
        func = (dotted(call.func) or "").rpartition(".")[2]
        args = [a.value for a in call.args if a.keyword is None]
        route = _string(args[0]) if args else None
        if func not in _PATH_FUNCS or route is None or len(args) < 2:
            return
        target = args[1]
        if isinstance(target, cst.Call) and (dotted(target.func) or "").endswith("include"):
            inner = target.args[0].value if target.args else None
            if _string(inner) is not None:
                self.urlconf(_string(inner) or "", prefix + route)
            elif isinstance(inner, cst.Attribute) and inner.attr.value == "urls":
                self.attach_router(source, dotted(inner.value) or "", prefix + route)
            return
        named = target
        as_view = False
        if isinstance(target, cst.Call) and isinstance(target.func, cst.Attribute) \
                and target.func.attr.value == "as_view":
            named, as_view = target.func.value, True
        view = self.view_id(source, named)
        if view:
            self.paths.append(PathRoute(prefix + route, view, _string(_kwarg(call, "name")),
                                        as_view, func != "path"))


def scan_routes(tree: SourceTree, root_urlconf: str | None = None) -> tuple[
        list[RouterRoute], list[PathRoute]]:
    """Every router registration and plain route reachable from the root URLconf."""
    scan = _Scan(tree)
    urlconf = root_urlconf or f"{tree.package}.urls"
    try:
        scan.urlconf(urlconf, "")
    except SourceError:
        return [], []
    return list(dict.fromkeys(scan.routers)), list(dict.fromkeys(scan.paths))
