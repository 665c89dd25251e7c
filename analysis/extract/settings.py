"""Settings modules (INSTALLED_APPS, AUTH_USER_MODEL, ROOT_URLCONF) and AppConfig classes.

A computed INSTALLED_APPS (``BASE + [...]``, ``+=``, ``.append``) is marked as such and
yields every string literal it can see, including those of module-level lists it names.
"""

from __future__ import annotations

import ast

from analysis.extract.exprs import literal_str, string_literals
from analysis.extract.walker import Context
from analysis.facts import ClassBodyFact, SettingsFact


class SettingsVisitor:
    def __init__(self) -> None:
        self._lists: dict[str, list[str]] = {}
        self._apps: list[str] = []
        self._line = 0
        self._computed = False
        self._strings: dict[str, str] = {}
        self._first_string_line = 0
        self.app_configs: list[ClassBodyFact] = []

    def visit_Assign(self, node: ast.Assign, ctx: Context) -> None:
        if ctx.in_class_body:
            self._app_config(node, ctx)
            return
        if not ctx.at_module_level:
            return
        for target in node.targets:
            if isinstance(target, ast.Name):
                self._bind(target.id, node.value, node.lineno, augmented=False)

    def visit_AugAssign(self, node: ast.AugAssign, ctx: Context) -> None:
        if ctx.at_module_level and isinstance(node.target, ast.Name):
            self._bind(node.target.id, node.value, node.lineno, augmented=True)

    def visit_Call(self, node: ast.Call, ctx: Context) -> None:
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "INSTALLED_APPS"
            and func.attr in {"append", "extend", "insert"}
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

    def _app_config(self, node: ast.Assign, ctx: Context) -> None:
        if len(ctx.classes) != 1:
            return
        text = literal_str(node.value)
        for target in node.targets:
            if isinstance(target, ast.Name) and target.id in {"name", "label"} and text:
                self.app_configs.append(
                    ClassBodyFact(ctx.classes[0], target.id, text, node.lineno, literal=True)
                )

    def facts(self) -> dict[str, tuple[object, ...]]:
        settings: tuple[SettingsFact, ...] = ()
        if self._line or self._strings:
            settings = (
                SettingsFact(
                    line=self._line or self._first_string_line,
                    apps=tuple(dict.fromkeys(self._apps)),
                    computed=self._computed,
                    auth_user_model=self._strings.get("AUTH_USER_MODEL", ""),
                    root_urlconf=self._strings.get("ROOT_URLCONF", ""),
                ),
            )
        return {"settings": settings, "class_bodies": tuple(self.app_configs)}
