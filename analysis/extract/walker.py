"""One pass over a module's ``ast`` that feeds every visitor (batched, like libcst's).

Each visitor defines ``visit_<NodeType>(node, ctx)`` methods for the nodes it cares about;
the walker visits every node once, in source order, and calls the matching methods of all
visitors before descending. It alone keeps the context a fact needs: the enclosing
top-level symbol, the class stack, the enclosing function and whether the code sits under
``if TYPE_CHECKING:``. Visitors gather facts and decide nothing across files.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

Handler = Callable[[Any, "Context"], None]

_SCOPES = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
_SCOPE_TYPES = frozenset(_SCOPES)
# Nodes with nothing below them that no visitor needs: skipping them halves the walk.
_LEAVES = frozenset(
    {ast.Load, ast.Store, ast.Del, ast.Constant, ast.Pass, ast.Break, ast.Continue}
    | {
        cls
        for cls in vars(ast).values()
        if isinstance(cls, type)
        and issubclass(cls, ast.operator | ast.unaryop | ast.cmpop | ast.boolop)
    }
)
_NON_NODE_FIELDS = frozenset({"ctx", "op", "type_comment", "kind", "conversion"})
_FIELDS_CACHE: dict[type, tuple[str, ...]] = {}
_HANDLERS_CACHE: dict[type, tuple[str, ...]] = {}


def _child_fields(cls: type) -> tuple[str, ...]:
    fields = _FIELDS_CACHE.get(cls)
    if fields is None:
        fields = tuple(f for f in cls._fields if f not in _NON_NODE_FIELDS)  # type: ignore[attr-defined]
        _FIELDS_CACHE[cls] = fields
    return fields


def _handler_names(cls: type) -> tuple[str, ...]:
    names = _HANDLERS_CACHE.get(cls)
    if names is None:
        names = tuple(a for a in dir(cls) if a.startswith("visit_"))
        _HANDLERS_CACHE[cls] = names
    return names


@dataclass
class Context:
    """Where the walker is: read by visitors, written only by the walker."""

    scope: str = ""
    classes: list[str] = field(default_factory=list)
    functions: list[ast.AST] = field(default_factory=list)
    type_checking: bool = False

    @property
    def at_module_level(self) -> bool:
        return not self.classes and not self.functions

    @property
    def in_class_body(self) -> bool:
        """Directly in a class body (not inside one of its methods)."""
        return bool(self.classes) and not self.functions

    @property
    def function_key(self) -> int:
        """Identity of the innermost function (0 at module or class level)."""
        return id(self.functions[-1]) if self.functions else 0


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


class Walker:
    """Dispatch each node to the visitors' handlers; usage: ``Walker(visitors).walk(tree)``."""

    def __init__(self, visitors: Iterable[object]) -> None:
        self.ctx = Context()
        self._handlers: dict[type, list[Handler]] = {}
        for visitor in visitors:
            for attribute in _handler_names(type(visitor)):
                node_type = getattr(ast, attribute.removeprefix("visit_"))
                self._handlers.setdefault(node_type, []).append(getattr(visitor, attribute))

    def walk(self, tree: ast.AST) -> None:
        self._visit(tree)

    def _visit(self, node: ast.AST) -> None:
        # The hot loop of extraction: kept free of generators and repeated lookups.
        cls = type(node)
        handlers = self._handlers.get(cls)
        if handlers:
            ctx = self.ctx
            for handler in handlers:
                handler(node, ctx)
        if cls in _SCOPE_TYPES:
            self._visit_scope(node)  # type: ignore[arg-type]
            return
        if cls is ast.If and _is_type_checking(node.test):  # type: ignore[attr-defined]
            self._visit_type_checking(node)  # type: ignore[arg-type]
            return
        visit = self._visit
        for name in _child_fields(cls):
            value = getattr(node, name, None)
            if type(value) is list:
                for item in value:
                    if type(item) not in _LEAVES and isinstance(item, ast.AST):
                        visit(item)
            elif value is not None and type(value) not in _LEAVES and isinstance(value, ast.AST):
                visit(value)

    def _visit_scope(self, node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        ctx = self.ctx
        outer_scope = ctx.scope
        if ctx.at_module_level:
            ctx.scope = node.name
        # Decorators, bases and defaults run in the enclosing scope but belong to this symbol.
        for child in (*node.decorator_list, *_header_nodes(node)):
            self._visit(child)
        if isinstance(node, ast.ClassDef):
            ctx.classes.append(node.name)
            for child in node.body:
                self._visit(child)
            ctx.classes.pop()
        else:
            ctx.functions.append(node)
            for child in node.body:
                self._visit(child)
            ctx.functions.pop()
        ctx.scope = outer_scope

    def _visit_type_checking(self, node: ast.If) -> None:
        ctx = self.ctx
        outer = ctx.type_checking
        ctx.type_checking = True
        for child in node.body:
            self._visit(child)
        ctx.type_checking = outer
        for child in node.orelse:
            self._visit(child)


def _header_nodes(node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.AST]:
    if isinstance(node, ast.ClassDef):
        return [*node.bases, *node.keywords]
    header: list[ast.AST] = [node.args]
    if node.returns is not None:
        header.append(node.returns)
    return header
