"""Per-module evidence built in two processes: the biggest step of a full resolution.

Once the cross-file indexes exist, each module's evidence depends only on them and on its
own facts (``EdgeBuilder.edges`` changes nothing but the name lookups' memo and their
``readers``). So the sorted modules are cut in two runs of about equal work; a forked child
(``Offload``, given by the caller: resolution never starts processes itself) builds the
second run while this process builds the first, and sends back its records and the lookups
it recorded as one ``marshal`` blob. Records are concatenated in module order, so the result
is the serial one record for record; each process records the lookups it made, fresh or
memoised, and their union is what one process records (a lookup's readers do not depend on
what was looked up before). If the child fails, its half is built here.
"""

from __future__ import annotations

import marshal
from collections import deque
from collections.abc import Callable, Iterable
from functools import partial
from itertools import repeat
from operator import attrgetter
from typing import Any

from analysis.facts import FileFacts
from analysis.records import EdgeRecord, Location
from analysis.resolve.edges import EdgeBuilder

# Runs ``work`` in a child process; the returned function waits for its bytes (None: failed).
Offload = Callable[[Callable[[], bytes]], Callable[[], bytes | None]]
# Below this many modules a fork costs more than half the work saves.
SPLIT_THRESHOLD = 400

# This process's share of the work: the child also packs what it built, and this process
# unpacks it.
_SHARE = 0.54

# Runs an iterator to its end in C, keeping nothing.
_drain: Callable[[Iterable[Any]], object] = partial(deque, maxlen=0)
_new = object.__new__
_location = partial(tuple.__new__, Location)
_FIELDS = EdgeRecord.__slots__
_SETTERS = tuple(getattr(EdgeRecord, name).__set__ for name in _FIELDS)
_row = attrgetter(*_FIELDS)


def module_edges(
    builder: EdgeBuilder,
    modules: list[str],
    facts: dict[str, FileFacts],
    files: dict[str, str],
    offload: Offload | None = None,
) -> list[EdgeRecord]:
    """Every record of ``modules`` (sorted), self-references left out, in module order."""
    if offload is None or len(modules) < SPLIT_THRESHOLD:
        return _edges(builder, modules, facts, files)
    cut = _cut(modules, facts)
    second = modules[cut:]
    collect = offload(lambda: _packed_edges(builder, second, facts, files))
    try:
        edges = _edges(builder, modules[:cut], facts, files)
    finally:
        blob = collect()
    if blob is None:
        edges.extend(_edges(builder, second, facts, files))
        return edges
    columns, readers = marshal.loads(blob)
    edges.extend(_records(columns))
    found = builder.names.readers
    for key, seen in readers.items():
        mine = found.get(key)
        if mine is None:
            found[key] = seen
        else:
            mine.update(seen)
    return edges


def _edges(
    builder: EdgeBuilder, modules: list[str], facts: dict[str, FileFacts], files: dict[str, str]
) -> list[EdgeRecord]:
    edges: list[EdgeRecord] = []
    for module in modules:
        for record in builder.edges(module, facts[module], files[module]):
            if record.source != record.target:
                edges.append(record)
    return edges


def _cut(modules: list[str], facts: dict[str, FileFacts]) -> int:
    """Where to cut ``modules`` so both runs have about as many references and imports."""
    weights = [len(facts[m].references) + len(facts[m].imports) + 1 for m in modules]
    half = sum(weights) * _SHARE
    total = 0
    for index, weight in enumerate(weights):
        total += weight
        if total >= half:
            return index + 1
    return len(modules)


def _packed_edges(
    builder: EdgeBuilder, modules: list[str], facts: dict[str, FileFacts], files: dict[str, str]
) -> bytes:
    """(runs in the child) The records by columns, locations as plain tuples, and readers."""
    builder.names.readers = {}  # only the lookups made here travel back
    edges = _edges(builder, modules, facts, files)
    columns = list(zip(*map(_row, edges))) if edges else []
    if columns:
        columns[3] = tuple(map(tuple, columns[3]))
    return marshal.dumps((tuple(columns), builder.names.readers))


def _records(columns: tuple[tuple[object, ...], ...]) -> list[EdgeRecord]:
    """``EdgeRecord``s rebuilt a column at a time (slots set in C, no ``__init__`` per record)."""
    if not columns:
        return []
    records = list(map(_new, repeat(EdgeRecord, len(columns[0]))))
    values = list(columns)
    values[3] = tuple(map(_location, columns[3]))
    for setter, column in zip(_SETTERS, values):
        _drain(map(setter, records, column))
    return records
