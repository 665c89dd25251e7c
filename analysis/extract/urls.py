"""URLconf entries: ``path``/``re_path``/``url``, ``include`` (module, string, inline list,
``router.urls``) and DRF ``router.register(prefix, ViewSet)``.

Prefixes are accumulated later, across files, by ``analysis.resolve.urls``; an inline
``include([...])`` is flattened here with its prefix since it never leaves the file.
"""

from __future__ import annotations

import ast

from analysis.extract.exprs import argument, callee, dotted, last_part, literal_str, strip_as_view
from analysis.facts import Row

_ROUTES = {"path", "re_path", "url"}
CALL_NAMES = frozenset({*_ROUTES, "register"})


class UrlsFamily:
    def __init__(self) -> None:
        self.urls: list[Row] = []  # UrlFact fields
        self._container = "urlpatterns"
        self._done: set[int] = set()

    def module_assign(self, node: ast.Assign) -> None:
        if isinstance(node.targets[0], ast.Name):
            self._container = node.targets[0].id

    def module_aug_assign(self, node: ast.AugAssign) -> None:
        if isinstance(node.target, ast.Name):
            self._container = node.target.id

    def call(self, node: ast.Call, text: str | None) -> None:
        """A call whose dotted callee ``text`` ends in a route function or ``register``."""
        if id(node) in self._done:
            return
        name = last_part(text)
        if name in _ROUTES:
            self._route(node, "", name)
        elif name == "register" and isinstance(node.func, ast.Attribute):
            prefix = literal_str(argument(node, 0, "prefix"))
            viewset = dotted(argument(node, 1, "viewset"))
            router = dotted(node.func.value)
            if prefix is not None and viewset and router:
                self.urls.append(("register", prefix, viewset, False, node.lineno, router, ""))

    def _route(self, node: ast.Call, prefix: str, kind: str) -> None:
        self._done.add(id(node))
        route = literal_str(argument(node, 0, "route"))
        view = argument(node, 1, "view")
        if route is None or view is None:
            return
        route = prefix + route
        name_node = argument(node, 3, "name") if kind != "include" else None
        url_name = literal_str(name_node) or ""
        if isinstance(view, ast.Call) and last_part(callee(view)) == "include":
            self._include(view, route, node.lineno)
            return
        target = dotted(strip_as_view(view))
        if target:
            kind = "re_path" if kind == "url" else kind
            self.urls.append(
                (kind, route, target, False, node.lineno, self._container, url_name)
            )

    def _include(self, call: ast.Call, route: str, line: int) -> None:
        self._done.add(id(call))
        arg = argument(call, 0, "arg")
        if isinstance(arg, ast.Tuple) and arg.elts:
            arg = arg.elts[0]
        if isinstance(arg, ast.List | ast.Tuple):
            for element in arg.elts:
                if isinstance(element, ast.Call) and last_part(callee(element)) in _ROUTES:
                    self._route(element, route, last_part(callee(element)))
            return
        text = literal_str(arg)
        literal = text is not None
        text = text if literal else dotted(arg)
        if text:
            self.urls.append(("include", route, text, literal, line, self._container, ""))
