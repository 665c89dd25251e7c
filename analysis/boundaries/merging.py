"""Merging clusters: fragments into their neighbour, and down to a wanted count.

Coupling between clusters is the summed affinity of the edges between them; a cluster's
internal weight is the summed affinity of the edges inside it.
"""

from __future__ import annotations

from collections import Counter

import networkx as nx

from analysis.boundaries.options import BoundaryOptions
from analysis.boundaries.units import Units


def coupling(
    affinity: nx.Graph, assign: dict[str, object]
) -> tuple[Counter[object], dict[object, Counter[object]]]:
    internal: Counter[object] = Counter()
    external: dict[object, Counter[object]] = {}
    for a, b, weight in affinity.edges(data="weight"):
        ca, cb = assign.get(a), assign.get(b)
        if ca is None or cb is None:
            continue
        if ca == cb:
            internal[ca] += weight
        else:
            external.setdefault(ca, Counter())[cb] += weight
            external.setdefault(cb, Counter())[ca] += weight
    return internal, external


def groups_of(assign: dict[str, object]) -> dict[object, set[str]]:
    groups: dict[object, set[str]] = {}
    for unit, label in assign.items():
        groups.setdefault(label, set()).add(unit)
    return groups


def best_label(counter: Counter[object]) -> object:
    return max(sorted(counter, key=str), key=lambda label: counter[label])


def merge_fragments(
    affinity: nx.Graph, units: Units, assign: dict[str, object], options: BoundaryOptions
) -> dict[str, object]:
    while True:
        groups = groups_of(assign)
        internal, external = coupling(affinity, assign)
        candidates = []
        for label, members in groups.items():
            if str(label).startswith("pin:") or not external.get(label):
                continue
            target = best_label(external[label])
            orphan = not any(m in units.models for m in members)
            ratio = external[label][target] / (internal[label] or 1e-9)
            small = len(members) < options.min_size and units.graph.granularity != "app"
            # A lone unit has no internal weight to compare with: only size or no model
            # make it a fragment.
            tied = len(members) > 1 and ratio >= options.merge_ratio
            if orphan or small or tied:
                candidates.append((not orphan, -ratio, len(members), str(label), label, target))
        if not candidates:
            return assign
        *_, label, target = min(candidates)
        for member in groups[label]:
            assign[member] = target


def merge_to(
    affinity: nx.Graph, assign: dict[str, object], wanted: int, pinned: dict[str, str]
) -> dict[str, object]:
    while len(set(assign.values())) > max(1, wanted):
        internal, external = coupling(affinity, assign)
        groups = groups_of(assign)
        pairs = []
        for a in sorted(external, key=str):
            for b, weight in external[a].items():
                if str(a) >= str(b) or (str(a).startswith("pin:") and str(b).startswith("pin:")):
                    continue
                smaller = min(internal[a], internal[b]) + 1.0
                pairs.append((-weight / smaller, str(a), str(b), a, b))
        if pairs:
            *_, a, b = min(pairs)
        else:  # disconnected clusters: the two smallest merge
            a, b = sorted(groups, key=lambda label: (len(groups[label]), str(label)))[:2]
        keep, drop = (b, a) if str(b).startswith("pin:") else (a, b)
        for member in groups[drop]:
            assign[member] = keep
    return assign
