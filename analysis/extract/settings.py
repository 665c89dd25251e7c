"""Settings modules (INSTALLED_APPS, AUTH_USER_MODEL, ROOT_URLCONF) and AppConfig classes.

A computed INSTALLED_APPS (``BASE + [...]``, ``+=``, ``.append``) is marked as such and
yields every string literal it can see, including those of module-level lists it names.
"""

from __future__ import annotations

import ast

from analysis.extract.exprs import literal_str, string_literals
from analysis.extract.walker import Walker
from analysis.facts import Row


# Methods whose calls on INSTALLED_APPS make it computed: the walker's cheap test.
CALL_METHODS = frozenset({"append", "extend", "insert"})


class SettingsFamily:
    def __init__(self) -> None:
        self._lists: dict[str, list[str]] = {}
        self._apps: list[str] = []
        self._line = 0
        self._computed = False
        self._strings: dict[str, str] = {}
        self._first_string_line = 0
        self.app_configs: list[Row] = []  # ClassBodyFact fields

    def module_assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            if isinstance(target, ast.Name):
                self._bind(target.id, node.value, node.lineno, augmented=False)

    def module_aug_assign(self, node: ast.AugAssign) -> None:
        if isinstance(node.target, ast.Name):
            self._bind(node.target.id, node.value, node.lineno, augmented=True)

    def call(self, node: ast.Call) -> None:
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "INSTALLED_APPS"
            and func.attr in CALL_METHODS
        ):
            self._computed = True
            for arg in node.args:
                self._apps.extend(string_literals(arg))

    def _bind(self, name: str, value: ast.expr, line: int, *, augmented: bool) -> None:
        if name == "INSTALLED_APPS":
            literal = isinstance(value, ast.List | ast.Tuple) and all(
                literal_str(element) is not None for element in value.elts
            )
            self._computed = self._computed or augmented or not literal
            if not augmented:
                self._apps = []
                self._line = line
            self._apps.extend(self._strings_of(value))
        elif name in {"AUTH_USER_MODEL", "ROOT_URLCONF"}:
            text = literal_str(value)
            if text:
                self._strings[name] = text
                self._first_string_line = self._first_string_line or line
        elif isinstance(value, ast.List | ast.Tuple | ast.BinOp):
            found = self._strings_of(value)
            self._lists[name] = self._lists.get(name, []) + found if augmented else found

    def _strings_of(self, value: ast.expr) -> list[str]:
        found = string_literals(value)
        for sub in ast.walk(value):
            if isinstance(sub, ast.Name) and sub.id in self._lists:
                found.extend(self._lists[sub.id])
        return found

    def class_assign(self, node: ast.Assign, ctx: Walker) -> None:
        """``name``/``label`` of an AppConfig (any top-level class, resolution decides)."""
        if len(ctx.classes) != 1:
            return
        text = literal_str(node.value)
        for target in node.targets:
            if isinstance(target, ast.Name) and target.id in {"name", "label"} and text:
                self.app_configs.append(
                    (ctx.classes[0], target.id, text, node.lineno, False, True)
                )

    def facts(self) -> list[Row]:
        """The module's ``SettingsFact`` row, if it sets any of the keys read here."""
        if not (self._line or self._strings):
            return []
        return [
            (
                self._line or self._first_string_line,
                tuple(dict.fromkeys(self._apps)),
                self._computed,
                self._strings.get("AUTH_USER_MODEL", ""),
                self._strings.get("ROOT_URLCONF", ""),
            )
        ]
