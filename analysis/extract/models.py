"""Django models: relation fields, ``class Meta`` flags, ``apps.get_model``, ``get_user_model``."""

from __future__ import annotations

import ast

from analysis.extract.exprs import argument, callee, dotted, keyword, last_part, literal_str
from analysis.extract.walker import Context
from analysis.facts import ClassBodyFact, GetModelFact, RelationFact

FIELD_KINDS = {
    "ForeignKey": "fk",
    "TreeForeignKey": "fk",
    "ParentalKey": "fk",
    "OneToOneField": "o2o",
    "ManyToManyField": "m2m",
    "ParentalManyToManyField": "m2m",
}
_META_FLAGS = {"abstract", "proxy", "app_label", "swappable"}
USER_MODEL = "get_user_model()"


class ModelsVisitor:
    def __init__(self) -> None:
        self.relations: list[RelationFact] = []
        self.meta: list[ClassBodyFact] = []
        self.get_models: list[GetModelFact] = []

    def visit_Assign(self, node: ast.Assign, ctx: Context) -> None:
        if not ctx.in_class_body:
            return
        names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        if not names:
            return
        if ctx.classes[-1] == "Meta" and len(ctx.classes) > 1:
            self._meta(names, node, ctx)
        elif isinstance(node.value, ast.Call):
            self._relation(names[0], node.value, ctx)

    def visit_AnnAssign(self, node: ast.AnnAssign, ctx: Context) -> None:
        if ctx.in_class_body and isinstance(node.target, ast.Name):
            if isinstance(node.value, ast.Call):
                self._relation(node.target.id, node.value, ctx)

    def _relation(self, field: str, call: ast.Call, ctx: Context) -> None:
        kind = FIELD_KINDS.get(last_part(callee(call)))
        if kind is None:
            return
        target_node = argument(call, 0, "to")
        text = literal_str(target_node)
        literal = text is not None
        if text is None and isinstance(target_node, ast.Call):
            text = USER_MODEL if last_part(callee(target_node)) == "get_user_model" else None
        elif text is None:
            text = dotted(target_node)
        if text:
            related = literal_str(keyword(call, "related_name")) or ""
            self.relations.append(
                RelationFact(ctx.classes[-1], field, kind, text, literal, call.lineno, related)
            )

    def _meta(self, names: list[str], node: ast.Assign, ctx: Context) -> None:
        value = node.value
        for name in names:
            if name not in _META_FLAGS:
                continue
            if isinstance(value, ast.Constant):
                text = str(value.value)
            else:
                text = dotted(value) or ""
            self.meta.append(
                ClassBodyFact(ctx.classes[-2], name, text, node.lineno, in_meta=True, literal=True)
            )

    def visit_Call(self, node: ast.Call, ctx: Context) -> None:
        name = last_part(callee(node))
        if name == "get_model":
            strings = [literal_str(arg) for arg in node.args[:2]]
            if len(strings) == 2 and strings[0] and strings[1]:
                label, model = strings[0], strings[1]
            elif strings and strings[0] and "." in strings[0]:
                label, _, model = strings[0].partition(".")
            else:
                return
            self.get_models.append(GetModelFact(ctx.scope, label, model, node.lineno))
        elif name == "get_user_model" and not node.args:
            self.get_models.append(GetModelFact(ctx.scope, "", USER_MODEL, node.lineno))

    def facts(self) -> dict[str, tuple[object, ...]]:
        return {
            "relations": tuple(self.relations),
            "class_bodies": tuple(self.meta),
            "get_models": tuple(self.get_models),
        }
