"""Imports: plain, ``from``, relative, star, in functions, under TYPE_CHECKING, importlib."""

from __future__ import annotations

import ast

from analysis.extract.walker import Walker
from analysis.facts import Row

_DYNAMIC = {"importlib.import_module", "import_module", "__import__"}
# Last parts of the dotted callees above: the walker's cheap test before ``dynamic``.
DYNAMIC_NAMES = frozenset({"import_module", "__import__"})


class ImportsFamily:
    def __init__(self) -> None:
        self.imports: list[Row] = []  # ImportFact fields

    def statement(self, node: ast.Import | ast.ImportFrom, ctx: Walker) -> None:
        if type(node) is ast.Import:
            module, level = None, 0
        else:
            module, level = node.module or "", node.level  # type: ignore[union-attr]
        for alias in node.names:
            self.imports.append(
                (
                    alias.name if module is None else module,
                    "" if module is None else alias.name,
                    alias.asname or "",
                    level,
                    node.lineno,
                    ctx.scope,
                    ctx.type_checking,
                    False,
                )
            )

    def dynamic(self, node: ast.Call, callee: str | None, ctx: Walker) -> None:
        """``importlib.import_module("literal")`` and friends (``callee``: the dotted callee)."""
        if callee not in _DYNAMIC or not node.args:
            return
        first = node.args[0]
        if not isinstance(first, ast.Constant) or not isinstance(first.value, str):
            return
        target = first.value
        if not target:
            return
        stripped = target.lstrip(".")
        self.imports.append(
            (
                stripped,
                "",
                "",
                len(target) - len(stripped),
                node.lineno,
                ctx.scope,
                ctx.type_checking,
                True,
            )
        )
