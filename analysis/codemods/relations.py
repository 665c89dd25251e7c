"""Relation fields of copied models whose target stays behind become plain id columns.

``user = models.ForeignKey(settings.AUTH_USER_MODEL, ...)`` cannot move into a service that
does not own users, so it becomes ``user_id = models.BigIntegerField(db_index=True)`` with a
``# seam:`` comment naming where it came from; a many-to-many becomes a JSON list of ids.
Names in the model's ``Meta`` that meant the old field (``"user"``, ``"-user"``) follow it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import libcst as cst

from analysis.codemods.sources import dotted

RELATION_KINDS = {"ForeignKey": "fk", "OneToOneField": "o2o", "ManyToManyField": "m2m"}
# Options that still mean something on an id column.
_KEPT_OPTIONS = ("null", "blank", "default", "db_index", "db_column", "help_text", "verbose_name")
_RENDER = cst.Module(body=[])


@dataclass(frozen=True)
class Decision:
    """How to treat a relation's target: keep it (maybe re-pointed) or cut it."""

    keep: bool
    replacement: cst.BaseExpression | None = None


@dataclass(frozen=True)
class FieldSeam:
    model: str
    field: str
    new_field: str
    kind: str
    target: str
    line: int


def _relation_call(line: cst.SimpleStatementLine) -> tuple[str, cst.Call, str] | None:
    if len(line.body) != 1 or not isinstance(line.body[0], cst.Assign):
        return None
    assign = line.body[0]
    if len(assign.targets) != 1 or not isinstance(assign.targets[0].target, cst.Name):
        return None
    call = assign.value
    if not isinstance(call, cst.Call):
        return None
    func = dotted(call.func) or ""
    kind = RELATION_KINDS.get(func.rpartition(".")[2])
    return (assign.targets[0].target.value, call, kind) if kind else None


def _target_arg(call: cst.Call) -> cst.Arg | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "to":
            return arg
    positional = [a for a in call.args if a.keyword is None and not a.star]
    return positional[0] if positional else None


def _id_field(name: str, kind: str) -> str:
    if kind == "m2m":
        stem = name[:-1] if name.endswith("s") and not name.endswith("ss") else name
        return f"{stem}_ids"
    return f"{name}_id"


def _replacement(new_field: str, kind: str, call: cst.Call) -> cst.SimpleStatementLine:
    if kind == "m2m":
        code = f"{new_field} = models.JSONField(default=list, blank=True)"
    else:
        options = {a.keyword.value: _RENDER.code_for_node(a.value) for a in call.args
                   if a.keyword is not None and a.keyword.value in _KEPT_OPTIONS}
        if kind == "o2o":
            options["unique"] = "True"
        else:
            options.setdefault("db_index", "True")
        text = ", ".join(f"{key}={value}" for key, value in options.items())
        code = f"{new_field} = models.BigIntegerField({text})"
    statement = cst.parse_statement(code)
    assert isinstance(statement, cst.SimpleStatementLine)
    return statement


def _block(model: cst.ClassDef) -> tuple[cst.IndentedBlock, list[cst.CSTNode]]:
    """The model's body as an indented block, and the original node locating each statement.

    A one-line model (``class A(models.Model): user = models.ForeignKey(...)``) has a
    statement suite: its fields become one line each, so that they can be cut like any other.
    """
    suite = model.body
    if isinstance(suite, cst.SimpleStatementSuite):
        lines = [cst.SimpleStatementLine(
            body=[small.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)]) for small in suite.body]
        return cst.IndentedBlock(body=lines), list(suite.body)
    assert isinstance(suite, cst.IndentedBlock)  # a class body is one or the other
    return suite, list(suite.body)


class _MetaNames(cst.CSTTransformer):
    """Rename string mentions of moved fields (``"user"``, ``"-user"``) inside ``Meta``."""

    def __init__(self, renamed: dict[str, str]) -> None:
        self.renamed = renamed

    def leave_SimpleString(self, original: cst.SimpleString,
                           updated: cst.SimpleString) -> cst.SimpleString:
        value = updated.evaluated_value
        if not isinstance(value, str):
            return updated
        sign, bare = ("-", value[1:]) if value.startswith("-") else ("", value)
        if bare not in self.renamed:
            return updated
        quote = updated.value[len(updated.prefix)]
        renamed = f"{sign}{self.renamed[bare]}"
        return updated.with_changes(value=f"{updated.prefix}{quote}{renamed}{quote}")


def _renamed_in_meta(statement: cst.BaseStatement, renamed: dict[str, str]) -> cst.BaseStatement:
    if not (isinstance(statement, cst.ClassDef) and statement.name.value == "Meta"):
        return statement
    meta = statement.visit(_MetaNames(renamed))
    assert isinstance(meta, cst.ClassDef)  # _MetaNames only rewrites strings inside it
    return meta


def rewrite_relations(
    model: cst.ClassDef,
    decide: Callable[[cst.BaseExpression], Decision],
    line_of: Callable[[cst.CSTNode], int],
    origin: str,
) -> tuple[cst.ClassDef, list[FieldSeam]]:
    """``model`` with relations to outside targets cut; ``origin`` is the file for comments."""
    seams: list[FieldSeam] = []
    renamed: dict[str, str] = {}
    body: list[cst.BaseStatement] = []
    block, originals = _block(model)
    for statement, original in zip(block.body, originals):
        if not isinstance(statement, cst.SimpleStatementLine):
            body.append(statement)
            continue
        found = _relation_call(statement)
        target = _target_arg(found[1]) if found else None
        if found is None or target is None:
            body.append(statement)
            continue
        name, call, kind = found
        decision = decide(target.value)
        if decision.keep:
            if decision.replacement is not None:
                args = [a.with_changes(value=decision.replacement) if a is target else a
                        for a in call.args]
                statement = statement.with_deep_changes(statement.body[0], value=call.with_changes(
                    args=args))
            body.append(statement)
            continue
        line = line_of(original)
        described = _RENDER.code_for_node(target.value)
        new_field = _id_field(name, kind)
        held = "a list of ids" if kind == "m2m" else "an id"
        comments = [
            cst.EmptyLine(comment=cst.Comment(
                f"# seam: was {dotted(call.func)}({described}) at {origin}:{line};")),
            cst.EmptyLine(comment=cst.Comment(
                f"# now {held} only: the rows stay with the owner of {described}.")),
        ]
        replacement = _replacement(new_field, kind, call).with_changes(
            leading_lines=[*statement.leading_lines, *comments])
        body.append(replacement)
        renamed[name] = new_field
        seams.append(FieldSeam(model.name.value, name, new_field, kind, described, line))
    if block is not model.body and all(new is old for new, old in zip(body, block.body)):
        return model, seams  # a one-line model with nothing to rewrite keeps its one line
    if renamed:
        body = [_renamed_in_meta(s, renamed) for s in body]
    return model.with_changes(body=block.with_changes(body=body)), seams
