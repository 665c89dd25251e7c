"""Plain facts read from one source file: frozen values with their line numbers.

Extraction (``analysis.extract``) produces these and nothing else; it knows one file and
never decides what a name means across files. Expressions are kept as the dotted text the
author wrote (``"models.ForeignKey"``, ``"core.Title"``); ``analysis.resolve`` turns them
into node ids later. Every fact carries ``line`` (1-based) and, where the code sits inside a
top-level class or function, ``scope`` (that symbol's name; ``""`` means module level).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

# A fact's field values in declaration order (extraction builds these; see extract.packed).
Row = tuple[Any, ...]

# Bump when extraction changes shape or meaning: cached facts from another version are ignored.
ANALYSER_VERSION = "1"


@dataclass(frozen=True, slots=True)
class ImportFact:
    """``import a.b as c`` / ``from ..x import y`` / ``importlib.import_module("m")``.

    ``module`` is as written (relative when ``level`` > 0); ``name`` is the imported name for
    ``from`` imports (``"*"`` for star imports, ``""`` for plain ``import``).
    """

    module: str
    name: str
    alias: str
    level: int
    line: int
    scope: str = ""
    type_checking: bool = False
    dynamic: bool = False


@dataclass(frozen=True, slots=True)
class SymbolFact:
    """A top-level class or function, with its bases and decorators as dotted text."""

    name: str
    kind: str  # "class" | "function"
    line: int
    bases: tuple[str, ...] = ()
    decorators: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ReferenceFact:
    """Use of a dotted name inside ``scope``: ``kind`` is "reference" or "call"."""

    scope: str
    target: str
    kind: str
    lines: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class AssignFact:
    """A module-level name binding; ``value`` is the dotted expression or callee
    (``x = Signal()`` -> "Signal", ``call`` True), empty for anything else (``X = 1``)."""

    name: str
    value: str
    call: bool
    line: int


@dataclass(frozen=True, slots=True)
class ClassBodyFact:
    """A class-level binding useful to Django analysis.

    ``attr`` is the attribute (``"model"`` for ``Meta.model``, ``"serializer_class"``,
    ``"queryset"``, ``"name"``/``"label"`` of an AppConfig, ``"abstract"``/``"proxy"``);
    ``value`` the dotted text or literal string; ``in_meta`` when it sits in ``class Meta``.
    """

    cls: str
    attr: str
    value: str
    line: int
    in_meta: bool = False
    literal: bool = False


@dataclass(frozen=True, slots=True)
class RelationFact:
    """A model field pointing at another model: ``kind`` is "fk", "o2o" or "m2m".

    ``target`` is the first argument as written: a dotted name (``literal`` False), or a
    string such as ``"core.Title"``/``"Title"``/``"self"`` (``literal`` True).
    """

    model: str
    field: str
    kind: str
    target: str
    literal: bool
    line: int
    related_name: str = ""


@dataclass(frozen=True, slots=True)
class GetModelFact:
    """``apps.get_model("app", "Model")`` or ``get_model("app.Model")`` inside ``scope``."""

    scope: str
    label: str
    model: str
    line: int


@dataclass(frozen=True, slots=True)
class ReceiverFact:
    """``@receiver(signal, sender=X)`` on ``receiver`` or ``signal.connect(receiver, sender=X)``."""

    receiver: str
    signal: str
    sender: str
    sender_literal: bool
    line: int
    scope: str = ""


@dataclass(frozen=True, slots=True)
class SignalSendFact:
    """``signal.send(sender=X)`` / ``send_robust`` inside ``scope``."""

    scope: str
    signal: str
    sender: str
    line: int


@dataclass(frozen=True, slots=True)
class UrlFact:
    """One URLconf entry.

    ``kind``: "path" | "re_path" | "include" | "register". ``route`` is the literal prefix
    or regex; ``target`` the view (dotted text, ``as_view()`` stripped) or, for includes, the
    included module (``literal`` True for ``include("pkg.urls")``). ``container`` names the
    list or router it belongs to (``"urlpatterns"``, ``"router"``).
    """

    kind: str
    route: str
    target: str
    literal: bool
    line: int
    container: str = "urlpatterns"
    name: str = ""


@dataclass(frozen=True, slots=True)
class OrmFact:
    """``X.<manager>.<method>(...)`` or ``obj.save()`` with ``obj`` bound to ``X``.

    ``op`` is "read" or "write"; ``model`` the dotted text of X (resolution keeps the fact
    only when X is a model). ``lookups`` lets resolution follow relations across models.
    """

    scope: str
    model: str
    manager: str
    method: str
    op: str
    line: int
    lookups: tuple[str, ...] = ()  # "titles__ratings__user"-style paths used in the chain


@dataclass(frozen=True, slots=True)
class AtomicFact:
    """A ``transaction.atomic`` block (``with`` or decorator) spanning ``line``..``end_line``."""

    scope: str
    line: int
    end_line: int


@dataclass(frozen=True, slots=True)
class TaskFact:
    """A Celery task: a top-level function decorated with ``shared_task``/``app.task``."""

    name: str
    line: int


@dataclass(frozen=True, slots=True)
class TaskCallFact:
    """``task.delay(...)``/``task.apply_async(...)`` inside ``scope``."""

    scope: str
    task: str
    method: str
    line: int


@dataclass(frozen=True, slots=True)
class SettingsFact:
    """A settings module: INSTALLED_APPS entries and a few keys that matter for analysis.

    ``computed`` is True when INSTALLED_APPS is not a plain literal list (then ``apps`` holds
    every string literal found in the expression, a best effort).
    """

    line: int
    apps: tuple[str, ...] = ()
    computed: bool = False
    auth_user_model: str = ""
    root_urlconf: str = ""


@dataclass(frozen=True, slots=True)
class FileFacts:
    """Everything extraction learned from one file."""

    module: str
    is_package: bool
    imports: tuple[ImportFact, ...] = ()
    symbols: tuple[SymbolFact, ...] = ()
    references: tuple[ReferenceFact, ...] = ()
    assigns: tuple[AssignFact, ...] = ()
    class_bodies: tuple[ClassBodyFact, ...] = ()
    relations: tuple[RelationFact, ...] = ()
    get_models: tuple[GetModelFact, ...] = ()
    receivers: tuple[ReceiverFact, ...] = ()
    signal_sends: tuple[SignalSendFact, ...] = ()
    urls: tuple[UrlFact, ...] = ()
    orm: tuple[OrmFact, ...] = ()
    atomics: tuple[AtomicFact, ...] = ()
    tasks: tuple[TaskFact, ...] = ()
    task_calls: tuple[TaskCallFact, ...] = ()
    settings: tuple[SettingsFact, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file the run could not read, and why (a warning, never an error)."""

    file: str
    reason: str


def fast_pickling(*classes: type) -> None:
    """Pickle frozen slotted dataclasses by constructor arguments.

    The default (dataclass-generated ``__getstate__``/``__setstate__``) runs Python code per
    field; a C-level ``attrgetter`` and a constructor call make the fact cache several times
    cheaper to write and read, which is most of a warm run's time.
    """
    for cls in classes:
        getter: Callable[[Any], Any] = attrgetter(*cls.__slots__)  # type: ignore[attr-defined]
        if len(cls.__slots__) == 1:  # type: ignore[attr-defined]
            single = getter

            def one_tuple(obj: Any, _one: Any = single) -> tuple[Any, ...]:
                return (_one(obj),)

            getter = one_tuple

        def reduce(self: Any, _cls: type = cls, _get: Any = getter) -> tuple[type, Any]:
            return _cls, _get(self)

        cls.__reduce__ = reduce  # type: ignore[method-assign,assignment]


fast_pickling(
    ImportFact, SymbolFact, ReferenceFact, AssignFact, ClassBodyFact, RelationFact,
    GetModelFact, ReceiverFact, SignalSendFact, UrlFact, OrmFact, AtomicFact, TaskFact,
    TaskCallFact, SettingsFact, FileFacts, Skipped,
)  # fmt: skip
