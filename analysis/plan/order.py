"""Extraction order, strangler-fig style.

The service-to-service graph of seams (kernel left out) has cycles; they are broken at their
cheapest edge (fewest pieces of evidence), and those edges are listed in the plan. Services
then come out in a topological order of "depends on" edges, so a service leaves before the
services it calls, and among the ready ones those with the fewest inbound seams and shared
writes go first (ties by name). Risk of a step = (inbound seams + 2 x shared writes +
3 x distributed transactions it takes part in + outbound seams / 2) / 10.
"""

from __future__ import annotations

import networkx as nx

from analysis.plan.model import DistributedTransaction, ModelOwnership, Seam


def break_cycles(
    seams: list[Seam], services: list[str]
) -> tuple[nx.DiGraph, list[tuple[str, str, float]]]:
    graph = nx.DiGraph()
    graph.add_nodes_from(sorted(services))
    for seam in seams:
        if seam.from_service in graph and seam.to_service in graph:
            weight = sum(1 for _ in seam.locations) or 1
            if graph.has_edge(seam.from_service, seam.to_service):
                graph[seam.from_service][seam.to_service]["weight"] += weight
            else:
                graph.add_edge(seam.from_service, seam.to_service, weight=weight)
    broken = []
    while True:
        try:
            cycle = nx.find_cycle(graph)
        except nx.NetworkXNoCycle:
            break
        a, b = min(((u, v) for u, v, *_ in cycle), key=lambda e: (graph[e[0]][e[1]]["weight"], e))
        broken.append((a, b, float(graph[a][b]["weight"])))
        graph.remove_edge(a, b)
    return graph, sorted(broken)


def order_services(
    seams: list[Seam],
    services: list[str],
    ownership: list[ModelOwnership],
    transactions: list[DistributedTransaction],
) -> tuple[list[tuple[str, int, int, float]], list[tuple[str, str, float]]]:
    """[(service, inbound seams, shared writes, risk)] in extraction order, and the cut edges."""
    dag, broken = break_cycles(seams, services)
    inbound = {s: sum(1 for x in seams if x.to_service == s) for s in services}
    outbound = {s: sum(1 for x in seams if x.from_service == s) for s in services}
    shared = {s: sum(1 for o in ownership if o.shared_write and s in o.writers) for s in services}
    in_tx = {s: sum(1 for t in transactions if s in t.services) for s in services}
    # A service depended on by others must stay reachable from them until they leave:
    # extract dependents (sources of the inbound graph) first, with few inbound seams.
    order = list(
        nx.lexicographical_topological_sort(dag, key=lambda s: (inbound[s] + shared[s], s))
    )
    steps = []
    for service in order:
        risk = (inbound[service] + 2 * shared[service] + 3 * in_tx[service]
                + outbound[service] / 2) / 10
        steps.append((service, inbound[service], shared[service], round(risk, 2)))
    return steps, broken
