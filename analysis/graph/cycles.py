"""Cycles: strongly connected groups, each with one shortest example cycle.

By default ``signal`` edges are left out: they are recorded both ways on purpose (a sender
depends on its receivers running, a receiver on what the sender sends), so every custom
signal would otherwise show up as a cycle. Pass ``kinds`` to choose.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from analysis.graph.model import DependencyGraph
from analysis.records import EDGE_KINDS

DEFAULT_CYCLE_KINDS = tuple(kind for kind in EDGE_KINDS if kind != "signal")


def _simple(graph: DependencyGraph, kinds: Iterable[str] | None) -> nx.DiGraph:
    """Nodes and (source, target) pairs with evidence of ``kinds``, both in sorted order
    (as ``graph.nodes()``/``graph.edges()`` list them: path searches follow that order)."""
    wanted = set(DEFAULT_CYCLE_KINDS if kinds is None else kinds)
    g = graph._g
    simple = nx.DiGraph()
    simple.add_nodes_from(sorted(g._node))
    simple.add_edges_from(
        sorted((s, t) for s, t, data in g.edges(data=True) if not wanted.isdisjoint(data))
    )
    return simple


def strongly_connected_groups(
    graph: DependencyGraph, *, kinds: Iterable[str] | None = None
) -> list[list[str]]:
    return _groups(_simple(graph, kinds))


def _groups(simple: nx.DiGraph) -> list[list[str]]:
    groups = [sorted(c) for c in nx.strongly_connected_components(simple) if len(c) > 1]
    return sorted(groups)


def _shortest_cycle(simple: nx.DiGraph, members: list[str]) -> list[str]:
    sub = simple.subgraph(members)
    best: list[str] | None = None
    # Sorted starts keep the result deterministic; a bounded number keeps big groups cheap.
    for tried, start in enumerate(members):
        if best is not None and tried >= 25:
            break
        for successor in sorted(sub.successors(start)):
            try:
                path = nx.shortest_path(sub, successor, start)
            except nx.NetworkXNoPath:
                continue
            cycle = [start, *path[:-1]] if successor != start else [start]
            if best is None or len(cycle) < len(best):
                best = cycle
        if best is not None and len(best) == 2:
            break
    return best or members


def find_cycles(graph: DependencyGraph, *, kinds: Iterable[str] | None = None) -> list[list[str]]:
    simple = _simple(graph, kinds)
    # In the order of ``strongly_connected_groups`` (sorted), so the two lists line up.
    return [_shortest_cycle(simple, group) for group in _groups(simple)]
