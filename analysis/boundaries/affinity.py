"""The weighted, undirected affinity graph the clustering runs on.

Each edge of the dependency graph between two clustered units adds
``kind weight x evidence`` (x ``write_factor`` for ORM writes; a signal edge that only says
"listens to"/"sent by" weighs little, one that writes weighs like a write), then:

- between two Django apps it is multiplied by ``cross_app``: own-app ORM, serializer and
  view edges outweigh a foreign key into another app;
- a relation into a *published* model (referenced from ``published_apps`` apps or more) from
  a model holding several relations is multiplied by ``published``: that model is
  referenced, not owned, by its referrers (``User``, ``Title``);
- members of one module share ``colocation`` spread over the module's size;
- views served under one URL namespace (``/api/accounts/...``) share ``url_affinity``
  spread over their number: the URLconf is the domain vocabulary the project exposes.
"""

from __future__ import annotations

from itertools import combinations

import networkx as nx

from analysis.boundaries.options import BoundaryOptions
from analysis.boundaries.units import RELATION_KINDS, Units
from analysis.graph.model import Edge

_QUIET_SIGNALS = frozenset({"sender", "listens", "sent by", "send"})


def edge_weight(edge: Edge, options: BoundaryOptions) -> float:
    weight = options.kind_weights.get(edge.kind, 1.0)
    if edge.kind == "orm":
        if any("write" in d for d in edge.details):
            weight *= options.write_factor
        elif edge.details and all(d == "read via lookup" for d in edge.details):
            weight = options.kind_weights.get("reference", 1.0)
    elif edge.kind == "signal" and edge.details:
        if any("write" in d for d in edge.details):
            weight = options.kind_weights.get("orm", 3.0)
        elif all(d in _QUIET_SIGNALS for d in edge.details):
            weight *= 0.3
    return weight * edge.weight


def build_affinity(
    units: Units,
    skip: frozenset[str],
    options: BoundaryOptions,
    url_words: dict[str, str] | None = None,
) -> nx.Graph:
    """Affinity among ``units.ids`` minus ``skip`` (the kernel). Nodes are added sorted so
    that a seeded clustering is reproducible."""
    keep = [u for u in units.ids if u not in skip]
    kept = set(keep)
    affinity = nx.Graph()
    affinity.add_nodes_from(keep)
    relations = units.graph.edges(kinds=RELATION_KINDS)
    referrer_apps: dict[str, set[str]] = {}
    targets_of: dict[str, set[str]] = {}
    for edge in relations:
        referrer_apps.setdefault(edge.target, set()).add(units.app[edge.source])
        targets_of.setdefault(edge.source, set()).add(edge.target)
    for edge in units.graph.edges():
        if edge.source == edge.target or edge.source not in kept or edge.target not in kept:
            continue
        weight = edge_weight(edge, options)
        if units.app[edge.source] != units.app[edge.target]:
            weight *= options.cross_app
        if (
            edge.kind in RELATION_KINDS
            and len(referrer_apps.get(edge.target, ())) >= options.published_apps
            and len(targets_of.get(edge.source, ())) >= 2
        ):
            weight *= options.published
        _add(affinity, edge.source, edge.target, weight)
    if options.colocation:
        by_module: dict[str, list[str]] = {}
        for unit in keep:
            by_module.setdefault(units.module[unit], []).append(unit)
        for members in by_module.values():
            share = options.colocation / max(1, len(members) - 1)
            for a, b in combinations(members, 2):
                _add(affinity, a, b, share)
    by_word: dict[str, list[str]] = {}
    for unit, word in sorted((url_words or {}).items()):
        if unit in kept:
            by_word.setdefault(word, []).append(unit)
    for members in by_word.values():
        share = options.url_affinity / max(1, len(members) - 1)
        for a, b in combinations(members, 2):
            _add(affinity, a, b, share)
    return affinity


def _add(graph: nx.Graph, a: str, b: str, weight: float) -> None:
    if weight <= 0:
        return
    if graph.has_edge(a, b):
        graph[a][b]["weight"] += weight
    else:
        graph.add_edge(a, b, weight=weight)
