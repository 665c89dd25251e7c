"""Top-level classes and functions, module-level bindings, and the dotted names each uses.

The walker records the references itself (they concern nearly every node): one entry per
(scope, dotted name, kind) with all its lines, so a function that calls ``Title.objects``
twenty times yields one fact. Names bound by the function itself cannot be told apart from
module names here; resolution drops what it cannot resolve to the analysed code.
"""

from __future__ import annotations

import ast

from analysis.extract.exprs import dotted
from analysis.extract.walker import Walker
from analysis.extract.packed import Columns
from analysis.facts import Row


class SymbolsFamily:
    def __init__(self) -> None:
        self.symbols: list[Row] = []  # SymbolFact fields
        self.assigns: list[Row] = []  # AssignFact fields

    def class_def(self, node: ast.ClassDef) -> None:
        """A top-level class (the caller checks the level)."""
        self.symbols.append(
            (
                node.name,
                "class",
                node.lineno,
                tuple(b for b in map(dotted, node.bases) if b),
                _decorators(node),
            )
        )

    def function_def(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        """A top-level function (the caller checks the level)."""
        self.symbols.append(
            (node.name, "function", node.lineno, (), _decorators(node))
        )

    def module_assign(self, node: ast.Assign) -> None:
        value = node.value
        is_call = isinstance(value, ast.Call)
        text = dotted(value.func if isinstance(value, ast.Call) else value) or ""
        for target in node.targets:
            if isinstance(target, ast.Name):
                self.assigns.append((target.id, text, is_call, node.lineno))


def reference_columns(walker: Walker) -> Columns:
    """The ``ReferenceFact``s by columns (``packed.columns``): each (scope, name, kind) once,
    its lines sorted; built from the walker's keys without a row per fact."""
    refs = walker.refs
    if not refs:
        return 0, ()
    scopes, targets, kinds = zip(*refs)
    lines = tuple(
        (found[0],) if len(found) == 1 else tuple(sorted(set(found))) for found in refs.values()
    )
    return len(refs), (scopes, targets, kinds, lines)


def _decorators(node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[str, ...]:
    names = []
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        text = dotted(target)
        if text:
            names.append(text)
    return tuple(names)
