"""The interface between the walker and the families: where each family reads nodes."""

from __future__ import annotations

import ast
from typing import Protocol


class Hooks(Protocol):
    """Where the families read nodes (``analysis.extract.families.Families``).

    Each ``on_*`` is called before the node's children are visited; ``on_name_call`` only
    for names in ``name_calls``, ``on_attribute_call`` with the callee's dotted text (None
    when the receiver is not a plain chain such as ``f().save``).
    """

    # Names of plain calls (``f(...)``) some family reads; attribute calls all go to hooks.
    name_calls: frozenset[str]

    def on_import(self, node: ast.Import | ast.ImportFrom) -> None:
        """An import statement."""

    def on_class(self, node: ast.ClassDef) -> None:
        """A class, before its scope is entered."""

    def on_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        """A function, before its scope is entered."""

    def on_assign(self, node: ast.Assign) -> None:
        """An assignment, at any level."""

    def on_ann_assign(self, node: ast.AnnAssign) -> None:
        """An annotated assignment, at any level."""

    def on_aug_assign(self, node: ast.AugAssign) -> None:
        """An augmented assignment (``+=``), at any level."""

    def on_for(self, node: ast.For) -> None:
        """A ``for`` loop (not ``async for``)."""

    def on_with(self, node: ast.With | ast.AsyncWith) -> None:
        """A ``with`` block."""

    def on_name_call(self, node: ast.Call, name: str) -> None:
        """A call of a plain name from ``name_calls``."""

    def on_attribute_call(self, node: ast.Call, func: ast.Attribute, text: str | None) -> None:
        """Every call of an attribute (``x.y(...)``, ``f().save()``)."""
