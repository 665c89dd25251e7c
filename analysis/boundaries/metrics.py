"""Quality of a partition (formulas in docs/boundaries.md).

On the directed dependency graph restricted to clustered nodes, with service s having
n_s members, internal edges mu_s (distinct node pairs inside s), and edges eps_st from s to t:

- modularity: Newman's weighted modularity of the undirected affinity graph;
- SM (structural modularity) = (1/K) sum_s mu_s/n_s^2
  - (1/(K(K-1)/2)) sum_{s<t} (eps_st + eps_ts) / (2 n_s n_t);
- ICP (inter-partition call percentage) = cross-service call/reference weight / all of it;
- IFN (interface number) = mean over services of the number of members used from outside;
- NED = share of members in services whose size lies within the bounds;
- cohesion_s = mu_s / (n_s (n_s - 1)); coupling_s = edges crossing s's border (either way)
  / all edges touching s.
"""

from __future__ import annotations

import networkx as nx

from analysis.graph.model import DependencyGraph

CALL_KINDS = frozenset({"call", "reference", "import", "orm", "serializer", "signal", "celery"})


def partition_metrics(
    graph: DependencyGraph,
    assignment: dict[str, str],
    affinity: nx.Graph | None,
    ned_bounds: tuple[int, int],
    skip: str | None = None,
) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """Whole-proposal metrics and per-service metrics; ``skip`` names a label (the kernel)
    left out of the services."""
    members: dict[str, set[str]] = {}
    for node, label in assignment.items():
        if label != skip:
            members.setdefault(label, set()).add(node)
    names = sorted(members)
    pairs_in: dict[str, set[tuple[str, str]]] = {n: set() for n in names}
    pairs_between: dict[tuple[str, str], set[tuple[str, str]]] = {}
    call_in = call_out = 0.0
    interface: dict[str, set[str]] = {n: set() for n in names}
    crossing = {n: 0 for n in names}
    touching = {n: 0 for n in names}
    for edge in graph.edges():
        a, b = assignment.get(edge.source), assignment.get(edge.target)
        if a is None or b is None or a == skip or b == skip or edge.source == edge.target:
            continue
        if edge.kind in CALL_KINDS:
            if a == b:
                call_in += edge.weight
            else:
                call_out += edge.weight
        if a == b:
            pairs_in[a].add((edge.source, edge.target))
            touching[a] += 1
        else:
            pairs_between.setdefault((a, b), set()).add((edge.source, edge.target))
            interface[b].add(edge.target)
            crossing[a] += 1
            crossing[b] += 1
            touching[a] += 1
            touching[b] += 1
    k = len(names)
    size = {n: len(members[n]) for n in names}
    scoh = sum(len(pairs_in[n]) / size[n] ** 2 for n in names) / k if k else 0.0
    scop = 0.0
    if k > 1:
        total = 0.0
        for i, s in enumerate(names):
            for t in names[i + 1:]:
                cross = len(pairs_between.get((s, t), ())) + len(pairs_between.get((t, s), ()))
                total += cross / (2 * size[s] * size[t])
        scop = total / (k * (k - 1) / 2)
    low, high = ned_bounds
    within = sum(size[n] for n in names if low <= size[n] <= high)
    everyone = sum(size.values())
    overall = {
        "modularity": round(_modularity(affinity, members), 4),
        "structural_modularity": round(scoh - scop, 4),
        "icp": round(call_out / (call_in + call_out), 4) if call_in + call_out else 0.0,
        "ifn": round(sum(len(v) for v in interface.values()) / k, 4) if k else 0.0,
        "ned": round(within / everyone, 4) if everyone else 0.0,
        "services": float(k),
    }
    per = {
        n: {
            "size": float(size[n]),
            "cohesion": round(len(pairs_in[n]) / (size[n] * (size[n] - 1)), 4)
            if size[n] > 1 else 1.0,
            "coupling": round(crossing[n] / touching[n], 4) if touching[n] else 0.0,
            "interface": float(len(interface[n])),
        }
        for n in names
    }  # fmt: skip
    return overall, per


def _modularity(affinity: nx.Graph | None, members: dict[str, set[str]]) -> float:
    if affinity is None or affinity.number_of_edges() == 0:
        return 0.0
    communities = [m & set(affinity) for m in members.values()]
    communities = [c for c in communities if c]
    rest = set(affinity) - set().union(*communities) if communities else set(affinity)
    if rest:
        communities.append(rest)
    return float(nx.community.modularity(affinity, communities, weight="weight"))
