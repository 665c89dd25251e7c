"""Class-level bindings to models and serializers: ``Meta.model``, ``serializer_class``,
``queryset``, ``model`` (DRF serializers and viewsets, ModelForms, generic views, admin),
and class-body fields built by calling a class (nested serializers)."""

from __future__ import annotations

import ast

from analysis.extract.exprs import dotted
from analysis.extract.walker import Walker
from analysis.facts import Row

_CLASS_ATTRS = {"serializer_class", "queryset", "model"}


def _queryset_root(node: ast.AST) -> str | None:
    """``Title.objects.filter(...).all()`` -> ``Title``."""
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name):
                return node.value.id
            node = node.value
        else:
            return dotted(node)


class DrfFamily:
    def __init__(self) -> None:
        self.bindings: list[Row] = []  # ClassBodyFact fields

    def class_assign(self, node: ast.Assign, ctx: Walker) -> None:
        if not ctx.in_class_body:
            return
        in_meta = ctx.classes[-1] == "Meta" and len(ctx.classes) > 1
        owner = ctx.classes[-2] if in_meta else ctx.classes[-1]
        for target in node.targets:
            if not isinstance(target, ast.Name):
                continue
            name = target.id
            if in_meta and name == "model":
                text = dotted(node.value)
            elif not in_meta and name == "queryset":
                text = _queryset_root(node.value)
            elif not in_meta and name in _CLASS_ATTRS:
                text = dotted(node.value)
            elif not in_meta and isinstance(node.value, ast.Call):
                # A field built from a class (``title = TitleSerializer(read_only=True)``):
                # resolution keeps it when the class is a serializer.
                text = dotted(node.value.func)
                name = "field"
            else:
                continue
            if text:
                self.bindings.append((owner, name, text, node.lineno, in_meta, False))
