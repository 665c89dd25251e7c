"""Celery tasks (``@shared_task``, ``@app.task``) and their ``.delay``/``.apply_async`` callers."""

from __future__ import annotations

import ast

from analysis.extract.exprs import dotted, last_part
from analysis.extract.walker import Context
from analysis.facts import TaskCallFact, TaskFact

_TASK_DECORATORS = {"shared_task", "task", "periodic_task"}
_CALL_METHODS = {"delay", "apply_async", "s", "si", "signature"}


class CeleryVisitor:
    def __init__(self) -> None:
        self.tasks: list[TaskFact] = []
        self.calls: list[TaskCallFact] = []

    def visit_FunctionDef(self, node: ast.FunctionDef, ctx: Context) -> None:
        if not ctx.at_module_level:
            return
        for decorator in node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if last_part(dotted(target)) in _TASK_DECORATORS:
                self.tasks.append(TaskFact(node.name, node.lineno))
                return

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Call(self, node: ast.Call, ctx: Context) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in _CALL_METHODS:
            task = dotted(func.value)
            if task:
                self.calls.append(TaskCallFact(ctx.scope, task, func.attr, node.lineno))

    def facts(self) -> dict[str, tuple[object, ...]]:
        return {"tasks": tuple(self.tasks), "task_calls": tuple(self.calls)}
