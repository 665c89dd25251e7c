"""Imports: plain, ``from``, relative, star, in functions, under TYPE_CHECKING, importlib."""

from __future__ import annotations

import ast

from analysis.extract.exprs import callee, literal_str
from analysis.extract.walker import Context
from analysis.facts import ImportFact

_DYNAMIC = {"importlib.import_module", "import_module", "__import__"}


class ImportsVisitor:
    def __init__(self) -> None:
        self.imports: list[ImportFact] = []

    def visit_Import(self, node: ast.Import, ctx: Context) -> None:
        for alias in node.names:
            self.imports.append(
                ImportFact(
                    module=alias.name,
                    name="",
                    alias=alias.asname or "",
                    level=0,
                    line=node.lineno,
                    scope=ctx.scope,
                    type_checking=ctx.type_checking,
                )
            )

    def visit_ImportFrom(self, node: ast.ImportFrom, ctx: Context) -> None:
        for alias in node.names:
            self.imports.append(
                ImportFact(
                    module=node.module or "",
                    name=alias.name,
                    alias=alias.asname or "",
                    level=node.level,
                    line=node.lineno,
                    scope=ctx.scope,
                    type_checking=ctx.type_checking,
                )
            )

    def visit_Call(self, node: ast.Call, ctx: Context) -> None:
        if callee(node) not in _DYNAMIC or not node.args:
            return
        target = literal_str(node.args[0])
        if not target:
            return
        stripped = target.lstrip(".")
        self.imports.append(
            ImportFact(
                module=stripped,
                name="",
                alias="",
                level=len(target) - len(stripped),
                line=node.lineno,
                scope=ctx.scope,
                type_checking=ctx.type_checking,
                dynamic=True,
            )
        )

    def facts(self) -> dict[str, tuple[object, ...]]:
        return {"imports": tuple(self.imports)}
