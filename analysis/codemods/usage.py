"""Which names a copied symbol uses, and whether a use runs at import time.

A use inside a function body runs when called; one in a class body, a decorator, a default or
an annotation runs when the module is imported, so a missing name there stops the service
from starting. Attribute names and keyword names are not uses; ``mod.attr`` is recorded too,
so references through a module import (``services.filter_titles``) can be followed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst


@dataclass
class Use:
    line: int
    import_time: bool
    annotation: bool = False  # every use is inside a type annotation


@dataclass
class Uses:
    names: dict[str, Use] = field(default_factory=dict)
    attributes: dict[tuple[str, str], Use] = field(default_factory=dict)


class _Collector(cst.CSTVisitor):
    def __init__(self, positions: dict) -> None:
        self.positions = positions
        self.uses = Uses()
        self.runtime_depth = 0
        self.annotation_depth = 0

    def _line(self, node: cst.CSTNode) -> int:
        position = self.positions.get(node)
        return position.start.line if position is not None else 0

    def _record(self, table: dict, key: object, node: cst.CSTNode) -> None:
        annotation = self.annotation_depth > 0
        import_time = self.runtime_depth == 0 and not annotation
        known = table.get(key)
        if known is None:
            table[key] = Use(self._line(node), import_time, annotation)
        elif import_time and not known.import_time:
            table[key] = Use(self._line(node), True)
        elif not annotation and known.annotation:
            table[key] = Use(self._line(node), import_time)

    def visit_Name(self, node: cst.Name) -> None:
        self._record(self.uses.names, node.value, node)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        if isinstance(node.value, cst.Name):
            self._record(self.uses.attributes, (node.value.value, node.attr.value), node)
        node.value.visit(self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)
        return False

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        for decorator in node.decorators:
            decorator.visit(self)
        node.params.visit(self)
        if node.returns is not None:
            node.returns.visit(self)
        self.runtime_depth += 1
        node.body.visit(self)
        self.runtime_depth -= 1
        return False

    def visit_Annotation(self, node: cst.Annotation) -> bool:
        # Evaluated at import time unless postponed; the scaffold postpones them when a name
        # used only here stays behind (``from __future__ import annotations``).
        self.annotation_depth += 1
        node.annotation.visit(self)
        self.annotation_depth -= 1
        return False

    def visit_Param(self, node: cst.Param) -> bool:
        # The parameter's own name is a definition, not a use.
        if node.annotation is not None:
            node.annotation.visit(self)
        if node.default is not None:
            node.default.visit(self)
        return False

    def visit_AssignTarget(self, node: cst.AssignTarget) -> bool:
        return not isinstance(node.target, cst.Name)

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        for part in (*node.decorators, *node.bases, *node.keywords):
            part.visit(self)
        node.body.visit(self)
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        node.params.visit(self)
        self.runtime_depth += 1
        node.body.visit(self)
        self.runtime_depth -= 1
        return False


def collect_uses(node: cst.CSTNode, positions: dict | None = None) -> Uses:
    """Names and ``name.attr`` pairs used in ``node`` (positions: libcst PositionProvider map)."""
    collector = _Collector(positions or {})
    node.visit(collector)
    return collector.uses
