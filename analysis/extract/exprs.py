"""Small readers of ``ast`` expressions shared by the walker and the families."""

from __future__ import annotations

import ast

_Name = ast.Name
_Attribute = ast.Attribute


def dotted(node: ast.AST | None) -> str | None:
    """``a.b.c`` for a chain of names and attributes, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def dotted_root(node: ast.Attribute) -> tuple[str | None, str]:
    """``(text, root)`` of a chain ``a.b.c``: ``("a.b.c", "a")``; ``(None, "")`` otherwise."""
    value = node.value
    if type(value) is _Name:  # ``x.y``: most chains
        return f"{value.id}.{node.attr}", value.id
    parts = [node.attr]
    while type(value) is _Attribute:
        parts.append(value.attr)
        value = value.value
    if type(value) is not _Name:
        return None, ""
    root: str = value.id
    parts.append(root)
    parts.reverse()
    return ".".join(parts), root


def literal_str(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


# The last call asked about, with its answer: families ask about the same call in turn,
# so one entry saves most of the work. Holding the node keeps its id from being reused.
_last_callee: tuple[ast.AST | None, str | None] = (None, None)


def callee(node: ast.Call) -> str | None:
    global _last_callee
    last = _last_callee  # one read: a consistent (node, text) pair even across threads
    if last[0] is node:
        return last[1]
    text = dotted(node.func)
    _last_callee = (node, text)
    return text


def last_part(name: str | None) -> str:
    return name.rpartition(".")[2] if name else ""


def keyword(node: ast.Call, name: str) -> ast.expr | None:
    for kw in node.keywords:
        if kw.arg == name:
            return kw.value
    return None


def argument(node: ast.Call, index: int, name: str) -> ast.expr | None:
    """Positional argument ``index`` or keyword ``name``."""
    if len(node.args) > index and not isinstance(node.args[index], ast.Starred):
        return node.args[index]
    return keyword(node, name)


def strip_as_view(node: ast.AST) -> ast.AST:
    """``Views.as_view(...)`` -> ``Views``; anything else unchanged."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "as_view"
    ):
        return node.func.value
    return node


def string_literals(node: ast.AST) -> list[str]:
    """Every string constant inside an expression, in source order."""
    found = [
        (sub.lineno, sub.col_offset, sub.value)
        for sub in ast.walk(node)
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str)
    ]
    found.sort(key=lambda place: (place[0], place[1]))
    return [value for _, _, value in found]
