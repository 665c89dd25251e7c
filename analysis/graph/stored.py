"""A ``DependencyGraph`` pickled by columns: what a warm run spends most of its time loading.

Pickled object by object, a large graph (sentry: 11,000 nodes, 70,000 edges, 88,000
locations) runs a Python function per evidence accumulator, per location and per node
record when loaded: ~60% of loading the stored result. Stored as flat columns of plain
strings, ints and tuples instead, it is rebuilt with C-level ``map`` calls (objects made by
``object.__new__``, slots filled through their descriptors, locations made by
``tuple.__new__``) and one short Python loop per node pair.

The rebuilt graph equals the pickled one: same nodes and records, same evidence, and the
successor and predecessor order of every node kept.
"""

from __future__ import annotations

from collections import deque
from functools import partial
from operator import attrgetter
from collections.abc import Callable, Iterable, Iterator
from itertools import islice, repeat
from typing import Any

from analysis.graph.model import DependencyGraph, _Evidence
from analysis.records import Location, NodeRecord

Columns = tuple[Any, ...]

# Runs an iterator to its end in C, keeping nothing.
_drain: Callable[[Iterable[Any]], object] = partial(deque, maxlen=0)
_new = object.__new__
_location = partial(tuple.__new__, Location)
_NODE_FIELDS = NodeRecord.__slots__
_node_row = attrgetter(*_NODE_FIELDS)
_NODE_SETTERS = tuple(getattr(NodeRecord, name).__set__ for name in _NODE_FIELDS)
# The slots' member descriptors, read from the class dict: on the class itself the names
# are descriptors, not the instance attributes the type checker knows them as.
_WEIGHT = _Evidence.__dict__["weight"].__set__
_LOCATIONS = _Evidence.__dict__["locations"].__set__
_DETAILS = _Evidence.__dict__["details"].__set__


def graph_columns(graph: DependencyGraph) -> Columns:
    """``graph`` as plain values (see ``restore_graph``)."""
    g = graph._g
    ids = tuple(g._node)
    records = tuple(zip(*map(_node_row, (data["record"] for data in g._node.values()))))
    position: dict[int, int] = {}  # id() of an edge's data dict -> its index in ``targets``
    targets: list[str] = []
    counts: list[int] = []
    kinds: list[str] = []
    evidence: list[_Evidence] = []
    for node_targets in g._succ.values():
        for target, data in node_targets.items():
            position[id(data)] = len(targets)
            targets.append(target)
            by_kind = data
            counts.append(len(by_kind))
            kinds.extend(by_kind)
            evidence.extend(by_kind.values())
    sources = [source for node_sources in g._pred.values() for source in node_sources]
    shared = [position[id(data)] for into in g._pred.values() for data in into.values()]
    degrees = (tuple(map(len, g._succ.values())), tuple(map(len, g._pred.values())))
    weights = tuple(ev.weight for ev in evidence)
    locations = tuple(tuple(map(tuple, ev.locations)) for ev in evidence)
    details = tuple(ev.details or None for ev in evidence)
    edges = (
        degrees, tuple(targets), tuple(sources), tuple(shared), tuple(counts), tuple(kinds),
        weights, locations, details,
    )  # fmt: skip
    return graph.root, graph.granularity, ids, records, edges


def _grouped(keys: Iterable[Any], values: Iterable[Any], sizes: Iterable[int]) -> Iterator[dict]:
    """Consecutive runs of ``sizes`` (key, value) pairs as dicts, each built in C."""
    return map(dict, map(islice, repeat(zip(keys, values)), sizes))


def restore_graph(
    root: str, granularity: str, ids: tuple[str, ...], records: Columns, edges: Columns
) -> DependencyGraph:
    """The graph ``graph_columns`` described."""
    graph = DependencyGraph(root=root, granularity=granularity)
    g = graph._g
    nodes = tuple(map(_new, repeat(NodeRecord, len(ids))))
    for setter, column in zip(_NODE_SETTERS, records):
        _drain(map(setter, nodes, column))
    g._node.update(zip(ids, [{"record": node} for node in nodes]))
    (out_degrees, in_degrees), targets, sources, shared, counts, kinds = edges[:6]
    weights, locations, details = edges[6:]
    evidence = tuple(map(_new, repeat(_Evidence, len(kinds))))
    _drain(map(_WEIGHT, evidence, weights))
    _drain(map(_LOCATIONS, evidence, map(set, map(partial(map, _location), locations))))
    _drain(map(_DETAILS, evidence, [found or {} for found in details]))
    data = list(_grouped(kinds, evidence, counts))
    g._succ.update(zip(ids, _grouped(targets, data, out_degrees)))
    g._pred.update(zip(ids, _grouped(sources, map(data.__getitem__, shared), in_degrees)))
    return graph
