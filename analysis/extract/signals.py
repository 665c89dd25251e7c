"""Signals: ``@receiver(signal, sender=X)``, ``signal.connect(handler, sender=X)``, and
``signal.send(sender=X)`` / ``send_robust`` (custom signals are module-level ``Signal()``
assignments, recorded by the symbols visitor)."""

from __future__ import annotations

import ast

from analysis.extract.exprs import argument, callee, dotted, keyword, last_part, literal_str
from analysis.extract.walker import Walker
from analysis.facts import Row


def _signals(node: ast.AST | None) -> list[str]:
    if isinstance(node, ast.List | ast.Tuple):
        return [text for text in map(dotted, node.elts) if text]
    text = dotted(node)
    return [text] if text else []


def _sender(call: ast.Call) -> tuple[str, bool]:
    node = keyword(call, "sender")
    text = literal_str(node)
    if text is not None:
        return text, True
    return dotted(node) or "", False


# Methods whose attribute calls may be signal facts: the walker's cheap test before ``call``.
CALL_METHODS = frozenset({"connect", "send", "send_robust"})


class SignalsFamily:
    def __init__(self) -> None:
        self.receivers: list[Row] = []  # ReceiverFact fields
        self.sends: list[Row] = []  # SignalSendFact fields

    def function_def(self, node: ast.FunctionDef | ast.AsyncFunctionDef, ctx: Walker) -> None:
        for decorator in node.decorator_list:
            if not isinstance(decorator, ast.Call) or last_part(callee(decorator)) != "receiver":
                continue
            sender, literal = _sender(decorator)
            receiver = node.name if ctx.at_module_level else ctx.scope
            for signal in _signals(argument(decorator, 0, "signal")):
                self.receivers.append(
                    (receiver, signal, sender, literal, decorator.lineno, ctx.scope)
                )

    def call(self, node: ast.Call, ctx: Walker) -> None:
        func = node.func
        if not isinstance(func, ast.Attribute):
            return
        if func.attr == "connect":
            receiver = dotted(argument(node, 0, "receiver"))
            signal = dotted(func.value)
            if receiver and signal:
                sender, literal = _sender(node)
                self.receivers.append(
                    (receiver, signal, sender, literal, node.lineno, ctx.scope)
                )
        elif func.attr in {"send", "send_robust"} and keyword(node, "sender") is not None:
            signal = dotted(func.value)
            if signal:
                sender, _ = _sender(node)
                self.sends.append((ctx.scope, signal, sender, node.lineno))
