"""The baseline the proposal is measured against: plain Louvain on the symbol reference
graph, every dependency one unweighted undirected edge (what an import/call-graph tool
gives). Used by the tests and ``benchmarks/boundaries.py``."""

from __future__ import annotations

import networkx as nx

from analysis.graph.model import DependencyGraph


def louvain_baseline(graph: DependencyGraph, seed: int) -> dict[str, str]:
    """Node id -> cluster label for the clustered nodes of ``graph`` (symbols at symbol
    granularity, every node otherwise)."""
    plain = nx.Graph()
    keep = [n.id for n in graph.nodes() if graph.granularity != "symbol" or n.kind != "module"]
    plain.add_nodes_from(keep)
    plain.add_edges_from(
        (e.source, e.target)
        for e in graph.edges()
        if e.source != e.target and e.source in plain and e.target in plain
    )
    communities = nx.community.louvain_communities(plain, seed=seed)
    ordered = sorted(sorted(c) for c in communities)
    return {node: f"c{index}" for index, members in enumerate(ordered) for node in members}
