"""Top-level classes and functions, and the dotted names each one uses.

A reference is recorded once per (scope, dotted name, kind) with all its lines, so a
function that calls ``Title.objects`` twenty times yields one fact. Names bound by the
function itself cannot be told apart from module names here; resolution drops what it
cannot resolve to the analysed code.
"""

from __future__ import annotations

import ast
import builtins

from analysis.extract.exprs import callee, dotted
from analysis.extract.walker import Context
from analysis.facts import AssignFact, ReferenceFact, SymbolFact

_IGNORED_ROOTS = frozenset(dir(builtins)) | {"self", "cls", "super"}


class SymbolsVisitor:
    def __init__(self) -> None:
        self.symbols: list[SymbolFact] = []
        self.assigns: list[AssignFact] = []
        self._refs: dict[tuple[str, str, str], list[int]] = {}
        self._consumed: set[int] = set()

    # symbols -------------------------------------------------------------
    def visit_ClassDef(self, node: ast.ClassDef, ctx: Context) -> None:
        if ctx.at_module_level:
            self.symbols.append(
                SymbolFact(
                    name=node.name,
                    kind="class",
                    line=node.lineno,
                    bases=tuple(b for b in map(dotted, node.bases) if b),
                    decorators=_decorators(node),
                )
            )

    def visit_FunctionDef(self, node: ast.FunctionDef, ctx: Context) -> None:
        if ctx.at_module_level:
            self.symbols.append(
                SymbolFact(
                    name=node.name, kind="function", line=node.lineno, decorators=_decorators(node)
                )
            )

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Assign(self, node: ast.Assign, ctx: Context) -> None:
        if not ctx.at_module_level:
            return
        value = node.value
        is_call = isinstance(value, ast.Call)
        text = dotted(value.func if isinstance(value, ast.Call) else value) or ""
        for target in node.targets:
            if isinstance(target, ast.Name):
                self.assigns.append(AssignFact(target.id, text, is_call, node.lineno))

    # references ----------------------------------------------------------
    def visit_Call(self, node: ast.Call, ctx: Context) -> None:
        func = node.func
        if type(func) is ast.Name:
            self._record_name(func, ctx, "call")
        else:
            self._record(func, ctx, "call", callee(node))

    def visit_Attribute(self, node: ast.Attribute, ctx: Context) -> None:
        if type(node.ctx) is ast.Load:
            self._record(node, ctx, "reference", None)

    def visit_Name(self, node: ast.Name, ctx: Context) -> None:
        # The commonest node of all: the short path of ``_record`` for a bare name.
        if type(node.ctx) is ast.Load:
            self._record_name(node, ctx, "reference")

    def _record_name(self, node: ast.Name, ctx: Context, kind: str) -> None:
        key = id(node)
        if key in self._consumed:
            return
        self._consumed.add(key)
        text = node.id
        if text in _IGNORED_ROOTS:
            return
        self._refs.setdefault((ctx.scope, text, kind), []).append(node.lineno)

    def _record(self, node: ast.AST, ctx: Context, kind: str, text: str | None) -> None:
        if id(node) in self._consumed:
            return
        if text is None:
            text = dotted(node)
            if text is None:
                return
        # The inner parts of ``a.b.c`` are the same use, not three.
        inner = node
        while isinstance(inner, ast.Attribute):
            inner = inner.value
            self._consumed.add(id(inner))
        self._consumed.add(id(node))
        if text.partition(".")[0] in _IGNORED_ROOTS:
            return
        self._refs.setdefault((ctx.scope, text, kind), []).append(node.lineno)  # type: ignore[attr-defined]

    def facts(self) -> dict[str, tuple[object, ...]]:
        refs = tuple(
            ReferenceFact(scope, target, kind, tuple(sorted(set(lines))))
            for (scope, target, kind), lines in self._refs.items()
        )
        return {"symbols": tuple(self.symbols), "assigns": tuple(self.assigns), "references": refs}


def _decorators(node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[str, ...]:
    names = []
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        text = dotted(target)
        if text:
            names.append(text)
    return tuple(names)
