"""Refinement: each unpinned unit (or URL block) moves to the cluster it has the most
affinity with, until nothing moves.

Writes weigh double in the affinity, so a receiver lands with the models it *writes*, not
with the sender it listens to. A model is scored without the relations other models hold
*to* it: a model is owned by its own code, not by the entities that reference it (``User``
is not billing's because invoices point at it). A URL block (``blocks.py``) is scored as the
sum of its members' affinity to the units outside it and moves as a whole.
"""

from __future__ import annotations

from collections import Counter

import networkx as nx

from analysis.boundaries.merging import best_label
from analysis.boundaries.units import RELATION_KINDS, Units

ROUNDS = 10


def referrers(units: Units) -> dict[str, set[str]]:
    """Model unit -> the other model units holding a relation to it."""
    found: dict[str, set[str]] = {}
    for edge in units.graph.edges(kinds=RELATION_KINDS):
        if edge.target in units.models and edge.source in units.models:
            found.setdefault(edge.target, set()).add(edge.source)
    return found


def scores(
    affinity: nx.Graph, unit: str, assign: dict[str, object], ignore: set[str] | None = None
) -> Counter[object]:
    """Affinity of ``unit`` to each cluster, leaving out the units in ``ignore``."""
    found: Counter[object] = Counter()
    for other, data in affinity[unit].items():
        if other in assign and (ignore is None or other not in ignore):
            found[assign[other]] += data["weight"]
    return found


def refine(
    affinity: nx.Graph,
    units: Units,
    pinned: dict[str, str],
    assign: dict[str, object],
    blocks: dict[str, tuple[str, ...]],
) -> dict[str, object]:
    # At module/app granularity a "model unit" is a whole module or app: moving it alone
    # would drain every cluster into the biggest neighbour, so only symbols move.
    symbol = units.graph.granularity == "symbol"
    held = referrers(units)
    movers: list[tuple[str, ...]] = []
    seen: set[str] = set()
    for unit in sorted(assign):
        if unit in pinned or unit in seen or not (symbol or unit not in units.models):
            continue
        group = tuple(u for u in blocks.get(unit, (unit,)) if u in assign)
        seen.update(group)
        movers.append(group)
    for _ in range(ROUNDS):
        moved = False
        for group in movers:
            inside = set(group)
            total: Counter[object] = Counter()
            for unit in group:
                total.update(scores(affinity, unit, assign, held.get(unit, set()) | inside))
            if not total:
                continue
            best = best_label(total)
            current = Counter(assign[u] for u in group).most_common(1)[0][0]
            if best != current and total[best] > total.get(current, 0.0) + 1e-9:
                for unit in group:
                    assign[unit] = best
                moved = True
        if not moved:
            break
    return assign
