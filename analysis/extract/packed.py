"""``FileFacts`` as plain nested tuples, for ``marshal``: the cheap way between processes.

Pickling the frozen fact dataclasses runs a Python ``__reduce__`` per fact in the worker and
a dataclass ``__init__`` (a generic ``object.__setattr__`` per field) per fact in the parent;
on sentry's 171,000 facts that was ~0.8 s of worker CPU and ~0.55 s of the parent's, against
~0.3 s and ~0.35 s this way. A packed file is ``(module, is_package, kind, kind, ...)``, one
``(count, columns)`` per fact kind in ``FileFacts`` order, a column holding one field of all
facts of that kind (rows are the fields in declaration order, as extraction builds them or
one C-level ``attrgetter`` call reads them). Unpacking sets each slot through its
descriptor, a column at a time in C: what ``__init__`` does, minus the Python call, the
argument handling and the attribute lookups per field.

Usage::

    blob = marshal.dumps([pack(facts) for facts in many])  # or pack_columns(...)
    many = [unpack(packed) for packed in marshal.loads(blob)]
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields
from functools import partial
from itertools import repeat
from operator import attrgetter
from typing import Any

import analysis.facts as facts_module
from analysis.facts import FileFacts, Row

Packed = tuple[Any, ...]
Columns = tuple[int, tuple[tuple[Any, ...], ...]]
# Runs an iterator to its end in C, keeping nothing.
_drain: Callable[[Iterable[Any]], object] = partial(deque, maxlen=0)


def _fact_kinds() -> tuple[tuple[str, type], ...]:
    """(field name, fact class) of FileFacts' tuple-of-facts fields, in declaration order."""
    kinds = []
    for field in fields(FileFacts)[2:]:
        # Annotations are strings ("tuple[ImportFact, ...]"): the class is the first name.
        name = str(field.type).removeprefix("tuple[").partition(",")[0]
        kinds.append((field.name, getattr(facts_module, name)))
    return tuple(kinds)


_KINDS = _fact_kinds()
_ROWS: tuple[Callable[[Any], tuple[Any, ...]], ...] = tuple(
    attrgetter(*cls.__slots__) for _, cls in _KINDS  # type: ignore[attr-defined]
)


def _setters(cls: type) -> tuple[Callable[[Any, Any], None], ...]:
    return tuple(getattr(cls, name).__set__ for name in cls.__slots__)  # type: ignore[attr-defined]


_SETTERS = tuple(_setters(cls) for _, cls in _KINDS)
_FILE_SETTERS = _setters(FileFacts)
_new = object.__new__


def pack(facts: FileFacts) -> Packed:
    """``facts`` as nested tuples of strings, ints and bools (``marshal``-able)."""
    kinds = [columns(tuple(map(row, getattr(facts, n)))) for (n, _), row in zip(_KINDS, _ROWS)]
    return pack_columns(facts.module, facts.is_package, kinds)


def columns(rows: Sequence[Row]) -> Columns:
    """One kind's facts by columns: ``(count, (first fields, second fields, ...))``.

    Stored so, ``unpack`` fills one field of all facts of a kind with one C-level ``map``.
    """
    return len(rows), tuple(zip(*rows))


def pack_columns(module: str, is_package: bool, kinds: Sequence[Columns]) -> Packed:
    """A packed ``FileFacts``: each kind's ``columns``, kinds in ``FileFacts`` field order."""
    return (module, is_package, *kinds)


def unpack(packed: Packed) -> FileFacts:
    """The ``FileFacts`` that ``pack`` was given (equal, field for field)."""
    values: list[Any] = [packed[0], packed[1]]
    for (_, cls), setters, (count, columns) in zip(_KINDS, _SETTERS, packed[2:]):
        facts: tuple[Any, ...] = tuple(map(_new, repeat(cls, count)))
        for setter, column in zip(setters, columns):
            _drain(map(setter, facts, column))
        values.append(facts)
    file_facts = _new(FileFacts)
    for setter, value in zip(_FILE_SETTERS, values):
        setter(file_facts, value)
    return file_facts
