"""Django models: relation fields, ``class Meta`` flags, ``apps.get_model``, ``get_user_model``."""

from __future__ import annotations

import ast

from analysis.extract.exprs import argument, callee, dotted, keyword, last_part, literal_str
from analysis.extract.walker import Walker
from analysis.facts import Row

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
# Last names of the calls ``call`` reads: the walker's cheap test.
CALL_NAMES = frozenset({"get_model", "get_user_model"})


class ModelsFamily:
    def __init__(self) -> None:
        self.relations: list[Row] = []  # RelationFact fields
        self.meta: list[Row] = []  # ClassBodyFact fields
        self.get_models: list[Row] = []  # GetModelFact fields

    def class_assign(self, node: ast.Assign, ctx: Walker) -> None:
        if not ctx.in_class_body:
            return
        names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        if not names:
            return
        if ctx.classes[-1] == "Meta" and len(ctx.classes) > 1:
            self._meta(names, node, ctx)
        elif isinstance(node.value, ast.Call):
            self._relation(names[0], node.value, ctx)

    def class_ann_assign(self, node: ast.AnnAssign, ctx: Walker) -> None:
        if ctx.in_class_body and isinstance(node.target, ast.Name):
            if isinstance(node.value, ast.Call):
                self._relation(node.target.id, node.value, ctx)

    def _relation(self, field: str, call: ast.Call, ctx: Walker) -> None:
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
                (ctx.classes[-1], field, kind, text, literal, call.lineno, related)
            )

    def _meta(self, names: list[str], node: ast.Assign, ctx: Walker) -> None:
        value = node.value
        for name in names:
            if name not in _META_FLAGS:
                continue
            if isinstance(value, ast.Constant):
                text = str(value.value)
            else:
                text = dotted(value) or ""
            self.meta.append(
                (ctx.classes[-2], name, text, node.lineno, True, True)
            )

    def call(self, node: ast.Call, text: str | None, ctx: Walker) -> None:
        """A call whose dotted callee ``text`` ends in ``get_model``/``get_user_model``."""
        name = last_part(text)
        if name == "get_model":
            strings = [literal_str(arg) for arg in node.args[:2]]
            if len(strings) == 2 and strings[0] and strings[1]:
                label, model = strings[0], strings[1]
            elif strings and strings[0] and "." in strings[0]:
                label, _, model = strings[0].partition(".")
            else:
                return
            self.get_models.append((ctx.scope, label, model, node.lineno))
        elif name == "get_user_model" and not node.args:
            self.get_models.append((ctx.scope, "", USER_MODEL, node.lineno))

