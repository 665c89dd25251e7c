"""ORM use of models and ``transaction.atomic`` blocks.

``X.<manager>.<method>(...)`` chains are read or write by their methods; ``obj.save()`` and
``obj.delete()`` count as writes to X when ``obj`` was bound in the same function to
``X(...)``, ``X.objects.get(...)`` (and friends) or a loop over a queryset of X. Whether X
is a model is decided in resolution. Atomic blocks are recorded with their line span so
resolution can link each block's function to the models written inside it.
"""

from __future__ import annotations

import ast

from analysis.extract.exprs import callee, dotted, last_part
from analysis.extract.walker import Walker
from analysis.facts import Row

WRITE_METHODS = frozenset(
    {
        "create", "get_or_create", "update_or_create", "update", "delete", "bulk_create",
        "bulk_update", "save", "add", "remove", "clear", "set", "acreate", "aget_or_create",
        "aupdate_or_create", "aupdate", "adelete", "abulk_create", "abulk_update", "asave",
        "create_user", "create_superuser",
    }
)  # fmt: skip
READ_METHODS = frozenset(
    {
        "all", "filter", "exclude", "get", "first", "last", "count", "exists", "values",
        "values_list", "order_by", "annotate", "aggregate", "select_related", "prefetch_related",
        "only", "defer", "distinct", "in_bulk", "iterator", "latest", "earliest", "none",
        "select_for_update", "using", "raw", "aget", "afirst", "alast", "acount", "aexists",
        "aiterator", "ain_bulk", "dates", "datetimes", "union", "intersection", "difference",
    }
)  # fmt: skip
_INSTANCE_WRITES = {"save", "delete", "asave", "adelete"}
# Methods that can make an attribute call a fact (other calls matter only through a call
# receiver, ``X.objects.filter(...).first()``): the walker's cheap test before ``call``.
METHODS = WRITE_METHODS | READ_METHODS | _INSTANCE_WRITES
_BINDING_METHODS = {
    "get", "create", "first", "last", "get_or_create", "latest", "earliest", "create_user",
}  # fmt: skip
# Methods whose string arguments are lookup paths ("genres__slug").
_PATH_ARGS = {"select_related", "prefetch_related", "values", "values_list", "order_by"}


def _lookups(call: ast.Call) -> list[str]:
    """Relation paths named in one call: keyword lookups and path-like string arguments."""
    found = [kw.arg for kw in call.keywords if kw.arg and "__" in kw.arg]
    method = call.func.attr if isinstance(call.func, ast.Attribute) else ""
    if method in _PATH_ARGS:
        for arg in call.args:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.append(arg.value.lstrip("-"))
    return found


def _manager_chain(node: ast.Call) -> tuple[str, str, list[str]] | None:
    """``Title.objects.filter().update()`` -> ("Title", "objects", ["update", "filter"])."""
    methods: list[str] = []
    current: ast.AST = node
    while isinstance(current, ast.Call) and isinstance(current.func, ast.Attribute):
        methods.append(current.func.attr)
        current = current.func.value
        if isinstance(current, ast.Attribute) and not isinstance(current, ast.Call):
            model = dotted(current.value)
            if model is not None:
                return model, current.attr, methods
    return None


class OrmFamily:
    def __init__(self) -> None:
        self.orm: list[Row] = []  # OrmFact fields
        self.atomics: list[Row] = []  # AtomicFact fields
        self._seen: set[int] = set()
        self._bound: dict[tuple[int, str], str] = {}

    def call(self, node: ast.Call, ctx: Walker) -> None:
        """An attribute call whose method is an ORM one or whose receiver is a call."""
        if id(node) in self._seen:
            return
        chain = _manager_chain(node)
        if chain is not None:
            model, manager, methods = chain
            if any(m in WRITE_METHODS or m in READ_METHODS for m in methods):
                lookups = self._mark_inner(node)
                op = "write" if any(m in WRITE_METHODS for m in methods) else "read"
                self.orm.append(
                    (ctx.scope, model, manager, methods[0], op, node.lineno, lookups)
                )
            return
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in _INSTANCE_WRITES:
            instance_model = self._instance_model(func.value, ctx)
            if instance_model:
                self.orm.append(
                    (ctx.scope, instance_model, "", func.attr, "write", node.lineno, ())
                )

    def _mark_inner(self, node: ast.AST) -> tuple[str, ...]:
        """Mark the chain's inner calls as seen; return the lookups the chain uses."""
        lookups: list[str] = []
        while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            self._seen.add(id(node))
            lookups.extend(_lookups(node))
            node = node.func.value
        return tuple(dict.fromkeys(lookups))

    def _instance_model(self, node: ast.AST, ctx: Walker) -> str | None:
        if isinstance(node, ast.Name):
            return self._bound.get((ctx.function_key, node.id))
        if isinstance(node, ast.Call):  # Title(...).save()
            return callee(node)
        return None

    # bindings of local names to a model ---------------------------------
    def assign(self, node: ast.Assign, ctx: Walker) -> None:
        model = self._model_of(node.value)
        if model:
            for target in node.targets:
                self._bind(target, model, ctx)

    def for_loop(self, node: ast.For, ctx: Walker) -> None:
        if isinstance(node.iter, ast.Call):
            chain = _manager_chain(node.iter)
            if chain is not None:
                self._bind(node.target, chain[0], ctx)

    def _bind(self, target: ast.AST, model: str, ctx: Walker) -> None:
        if isinstance(target, ast.Tuple) and target.elts:  # obj, created = get_or_create()
            target = target.elts[0]
        if isinstance(target, ast.Name):
            self._bound[(ctx.function_key, target.id)] = model

    @staticmethod
    def _model_of(value: ast.AST) -> str | None:
        if not isinstance(value, ast.Call):
            return None
        chain = _manager_chain(value)
        if chain is not None:
            return chain[0] if chain[2][0] in _BINDING_METHODS else None
        name = callee(value)
        # A capitalised call is a likely model construction; resolution confirms.
        return name if name and last_part(name)[:1].isupper() else None

    # transaction.atomic ---------------------------------------------------
    def with_block(self, node: ast.With | ast.AsyncWith, ctx: Walker) -> None:
        for item in node.items:
            expr = item.context_expr
            target = expr.func if isinstance(expr, ast.Call) else expr
            if last_part(dotted(target)) == "atomic":
                end = node.end_lineno or node.lineno
                self.atomics.append((ctx.scope, node.lineno, end))

    def function_def(self, node: ast.FunctionDef | ast.AsyncFunctionDef, ctx: Walker) -> None:
        for decorator in node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if last_part(dotted(target)) == "atomic":
                scope = node.name if ctx.at_module_level else ctx.scope
                end = node.end_lineno or node.lineno
                self.atomics.append((scope, decorator.lineno, end))
