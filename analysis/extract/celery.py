"""Celery tasks (``@shared_task``, ``@app.task``) and their ``.delay``/``.apply_async`` callers."""

from __future__ import annotations

import ast

from analysis.extract.exprs import dotted, last_part
from analysis.extract.walker import Walker
from analysis.facts import Row

_TASK_DECORATORS = {"shared_task", "task", "periodic_task"}
CALL_METHODS = {"delay", "apply_async", "s", "si", "signature"}


class CeleryFamily:
    def __init__(self) -> None:
        self.tasks: list[Row] = []  # TaskFact fields
        self.calls: list[Row] = []  # TaskCallFact fields

    def function_def(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        """A top-level function with decorators (the caller checks both)."""
        for decorator in node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if last_part(dotted(target)) in _TASK_DECORATORS:
                self.tasks.append((node.name, node.lineno))
                return

    def call(self, node: ast.Call, ctx: Walker) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in CALL_METHODS:
            task = dotted(func.value)
            if task:
                self.calls.append((ctx.scope, task, func.attr, node.lineno))
