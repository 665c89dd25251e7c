"""The families' code called at the nodes each one reads: the walker's ``Hooks``.

Each family (imports, symbols, models, DRF, signals, URLs, ORM, Celery, settings) keeps its
own facts in its own module; this router calls a family only where it can find something,
tested cheaply first (a call's last name, the statement's level), since most of a module's
nodes concern none of them.
"""

from __future__ import annotations

import ast

from analysis.extract import celery, imports, models, orm, settings, signals, urls
from analysis.extract.celery import CeleryFamily
from analysis.extract.drf import DrfFamily
from analysis.extract.imports import ImportsFamily
from analysis.extract.models import ModelsFamily
from analysis.extract.orm import OrmFamily
from analysis.extract.packed import Packed, columns, pack_columns
from analysis.extract.settings import SettingsFamily
from analysis.extract.signals import SignalsFamily
from analysis.extract.symbols import SymbolsFamily, reference_columns
from analysis.extract.urls import UrlsFamily
from analysis.extract.walker import Walker

_IMPORTS, _MODELS, _URLS, _SIGNALS, _CELERY, _SETTINGS = 1, 2, 4, 8, 16, 32
_ROUTES: dict[str, int] = {}
for _flag, _names in (
    (_IMPORTS, imports.DYNAMIC_NAMES),
    (_MODELS, models.CALL_NAMES),
    (_URLS, urls.CALL_NAMES),
    (_SIGNALS, signals.CALL_METHODS),
    (_CELERY, celery.CALL_METHODS),
    (_SETTINGS, settings.CALL_METHODS),
):
    for _name in _names:
        _ROUTES[_name] = _ROUTES.get(_name, 0) | _flag
_NAME_ROUTES = _IMPORTS | _MODELS | _URLS  # the families that read plain-name calls
_NAME_CALLS = frozenset(name for name, route in _ROUTES.items() if route & _NAME_ROUTES)
_ORM_METHODS = orm.METHODS
_Call = ast.Call


class Families:
    """Usage: ``families = Families(); families.walk(tree); families.packed(module, ...)``."""

    name_calls = _NAME_CALLS

    def __init__(self) -> None:
        self.walker = Walker(self)
        self.imports = ImportsFamily()
        self.symbols = SymbolsFamily()
        self.models = ModelsFamily()
        self.drf = DrfFamily()
        self.signals = SignalsFamily()
        self.urls = UrlsFamily()
        self.orm = OrmFamily()
        self.celery = CeleryFamily()
        self.settings = SettingsFamily()

    def walk(self, tree: ast.AST) -> None:
        self.walker.walk(tree)

    # hooks --------------------------------------------------------------------
    def on_import(self, node: ast.Import | ast.ImportFrom) -> None:
        self.imports.statement(node, self.walker)

    def on_class(self, node: ast.ClassDef) -> None:
        if self.walker.at_module_level:
            self.symbols.class_def(node)

    def on_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        walker = self.walker
        top = walker.at_module_level
        if top:
            self.symbols.function_def(node)
        if node.decorator_list:
            self.signals.function_def(node, walker)
            self.orm.function_def(node, walker)
            if top:
                self.celery.function_def(node)

    def on_assign(self, node: ast.Assign) -> None:
        walker = self.walker
        if not walker.functions:
            if not walker.classes:
                self.symbols.module_assign(node)
                self.urls.module_assign(node)
                self.settings.module_assign(node)
            else:
                self.models.class_assign(node, walker)
                self.drf.class_assign(node, walker)
                self.settings.class_assign(node, walker)
        if type(node.value) is _Call:
            self.orm.assign(node, walker)

    def on_ann_assign(self, node: ast.AnnAssign) -> None:
        self.models.class_ann_assign(node, self.walker)

    def on_aug_assign(self, node: ast.AugAssign) -> None:
        if self.walker.at_module_level:
            self.urls.module_aug_assign(node)
            self.settings.module_aug_assign(node)

    def on_for(self, node: ast.For) -> None:
        self.orm.for_loop(node, self.walker)

    def on_with(self, node: ast.With | ast.AsyncWith) -> None:
        self.orm.with_block(node, self.walker)

    def on_name_call(self, node: ast.Call, name: str) -> None:
        self._route(node, _ROUTES[name] & _NAME_ROUTES, name)

    def on_attribute_call(self, node: ast.Call, func: ast.Attribute, text: str | None) -> None:
        attr = func.attr
        if attr in _ORM_METHODS or type(func.value) is _Call:
            self.orm.call(node, self.walker)
        route = _ROUTES.get(attr)
        if route:
            self._route(node, route, text)

    def _route(self, node: ast.Call, route: int, text: str | None) -> None:
        walker = self.walker
        if route & _IMPORTS:
            self.imports.dynamic(node, text, walker)
        if route & _MODELS:
            self.models.call(node, text, walker)
        if route & _URLS:
            self.urls.call(node, text)
        if route & _SIGNALS:
            self.signals.call(node, walker)
        if route & _CELERY:
            self.celery.call(node, walker)
        if route & _SETTINGS:
            self.settings.call(node)

    # result -----------------------------------------------------------------
    def packed(self, module: str, is_package: bool) -> Packed:
        """The facts found, packed (``analysis.extract.packed``; ``unpack`` for FileFacts)."""
        return pack_columns(
            module,
            is_package,
            (
                columns(self.imports.imports),
                columns(self.symbols.symbols),
                reference_columns(self.walker),
                columns(self.symbols.assigns),
                columns((*self.models.meta, *self.drf.bindings, *self.settings.app_configs)),
                columns(self.models.relations),
                columns(self.models.get_models),
                columns(self.signals.receivers),
                columns(self.signals.sends),
                columns(self.urls.urls),
                columns(self.orm.orm),
                columns(self.orm.atomics),
                columns(self.celery.tasks),
                columns(self.celery.calls),
                columns(self.settings.facts()),
            ),
        )
