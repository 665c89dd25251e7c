"""Aggregation of a symbol graph to module or app granularity.

Evidence is merged: weights add up, locations and details are united, and edges that
fall inside one group (a module's symbols using each other) disappear.
"""

from __future__ import annotations

from operator import itemgetter

from analysis.graph.model import DependencyGraph, _Evidence
from analysis.records import NodeRecord


_edge_key = itemgetter(0, 1, 2)


def group_of(node: NodeRecord, granularity: str) -> str:
    if granularity == "module":
        return node.module
    if granularity == "app":
        return node.app
    return node.id


def aggregate(graph: DependencyGraph, granularity: str) -> DependencyGraph:
    result = DependencyGraph(root=graph.root, granularity=granularity)
    groups: dict[str, str] = {}
    nodes = graph.nodes()
    modules_of_app: dict[str, list[NodeRecord]] = {}  # built once, not once per app
    if granularity == "app":
        for node in nodes:
            if node.kind == "module":
                modules_of_app.setdefault(node.app, []).append(node)
    for node in nodes:
        group = group_of(node, granularity)
        groups[node.id] = group
        if group in result:
            continue
        if granularity == "symbol" or (granularity == "module" and node.kind == "module"):
            result.add_node(node)
        elif granularity == "module":
            result.add_node(_module_node(graph, node))
        else:
            result.add_node(_app_node(node, modules_of_app.get(node.app, [])))
    # The evidence itself, merged in (source, target, kind) order as ``graph.edges()`` lists
    # it, without making (and sorting the locations of) an ``Edge`` per symbol edge.
    evidence = sorted(
        ((source, target, kind, found) for source, target, data in graph._g.edges(data=True)
         for kind, found in data.items()),
        key=_edge_key,
    )  # fmt: skip
    succ, pred = result._g._succ, result._g._pred
    for symbol_source, symbol_target, kind, found in evidence:
        source, target = groups[symbol_source], groups[symbol_target]
        if source == target:
            continue
        data = succ[source].get(target)
        if data is None:
            data = succ[source][target] = pred[target][source] = {}
        merged = data.get(kind)
        if merged is None:
            merged = data[kind] = _Evidence()
        merged.weight += found.weight
        merged.locations |= found.locations
        details = merged.details
        for detail in found.details:  # counted once per symbol edge giving it
            details[detail] = details.get(detail, 0) + 1
    return result


def _module_node(graph: DependencyGraph, node: NodeRecord) -> NodeRecord:
    if node.module in graph:
        return graph.node(node.module)
    return NodeRecord(node.module, "module", node.module, node.app, node.file, 1)


def _app_node(node: NodeRecord, members: list[NodeRecord]) -> NodeRecord:
    """The app's node, named after its shortest module (``members``: its module nodes)."""
    package = min((n.module for n in members), key=len, default=node.module)
    first = min(members, key=lambda n: (len(n.module), n.module), default=node)
    folder = first.file.rpartition("/")[0] if "package" in first.tags else first.file
    return NodeRecord(node.app, "app", package, node.app, folder, 0)
