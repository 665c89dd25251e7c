"""Aggregation of a symbol graph to module or app granularity.

Evidence is merged: weights add up, locations and details are united, and edges that
fall inside one group (a module's symbols using each other) disappear.
"""

from __future__ import annotations

from analysis.graph.model import DependencyGraph
from analysis.records import NodeRecord


def group_of(node: NodeRecord, granularity: str) -> str:
    if granularity == "module":
        return node.module
    if granularity == "app":
        return node.app
    return node.id


def aggregate(graph: DependencyGraph, granularity: str) -> DependencyGraph:
    result = DependencyGraph(root=graph.root, granularity=granularity)
    groups: dict[str, str] = {}
    for node in graph.nodes():
        group = group_of(node, granularity)
        groups[node.id] = group
        if group in result:
            continue
        if granularity == "symbol" or (granularity == "module" and node.kind == "module"):
            result.add_node(node)
        elif granularity == "module":
            result.add_node(_module_node(graph, node))
        else:
            result.add_node(_app_node(graph, node))
    for edge in graph.edges():
        source, target = groups[edge.source], groups[edge.target]
        if source == target:
            continue
        for detail in edge.details or ("",):
            result.add_evidence(source, target, edge.kind, edge.locations, detail, weight=0)
        result.add_evidence(source, target, edge.kind, (), weight=edge.weight)
    return result


def _module_node(graph: DependencyGraph, node: NodeRecord) -> NodeRecord:
    if node.module in graph:
        return graph.node(node.module)
    return NodeRecord(node.module, "module", node.module, node.app, node.file, 1)


def _app_node(graph: DependencyGraph, node: NodeRecord) -> NodeRecord:
    members = [n for n in graph.nodes(app=node.app) if n.kind == "module"]
    package = min((n.module for n in members), key=len, default=node.module)
    first = min(members, key=lambda n: (len(n.module), n.module), default=node)
    folder = first.file.rpartition("/")[0] if "package" in first.tags else first.file
    return NodeRecord(node.app, "app", package, node.app, folder, 0)
