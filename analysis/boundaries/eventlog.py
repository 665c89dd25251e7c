"""Event logs fold into the service whose changes they record.

A model that holds no relation to another model and whose every write comes from signal
receivers (or from helpers that only receivers call) has no life of its own: its rows are
a record of another model's changes, keyed generically (an outbox, an audit trail, a change
feed). Django runs ``post_save``/``post_delete``/``m2m_changed`` receivers synchronously,
inside the sender's transaction, and a transactional outbox depends on exactly that: the row
commits or rolls back with the change it describes. Cut between two services, every such
save becomes a distributed transaction. So a cluster whose models are all such logs joins
the cluster holding the models its receivers listen to (the one most coupled to it, when
they listen to several).

A model with relations (``Loan -> Book``, ``Profile -> User``) is an entity of its own even
when only a receiver writes it: it stays where refinement put it. The rule needs symbols
(receivers are functions), so it applies at symbol granularity only.
"""

from __future__ import annotations

from collections import Counter

import networkx as nx

from analysis.boundaries.merging import best_label, coupling, groups_of
from analysis.boundaries.units import RELATION_KINDS, Units


def _receiver_side(units: Units) -> set[str]:
    """Units tagged ``receiver``, plus the helpers that only receivers call."""
    receivers = {n.id for n in units.graph.nodes() if "receiver" in n.tags}
    callers: dict[str, set[str]] = {}
    for edge in units.graph.edges(kinds=frozenset({"call"})):
        if edge.source != edge.target:
            callers.setdefault(edge.target, set()).add(edge.source)
    helpers = {unit for unit, found in callers.items() if found and found <= receivers}
    return receivers | helpers


def event_log_models(units: Units) -> set[str]:
    """Model units with no relation to another model, written only by the receiver side."""
    side = _receiver_side(units)
    writers: dict[str, set[str]] = {}
    related: set[str] = set()
    for edge in units.graph.edges():
        if edge.source == edge.target:
            continue
        if edge.kind in RELATION_KINDS and edge.target in units.models:
            related.add(edge.source)
        writes = edge.kind in ("orm", "signal") and any("write" in d for d in edge.details)
        if writes and edge.target in units.models:
            writers.setdefault(edge.target, set()).add(edge.source)
    return {
        model for model, found in writers.items()
        if model not in related and found <= side
    }  # fmt: skip


def fold_event_logs(
    affinity: nx.Graph, units: Units, pinned: dict[str, str], assign: dict[str, object]
) -> dict[str, object]:
    if units.graph.granularity != "symbol":
        return assign
    logs = event_log_models(units)
    if not logs:
        return assign
    receivers = {n.id for n in units.graph.nodes() if "receiver" in n.tags}
    for label, members in sorted(groups_of(assign).items(), key=lambda item: str(item[0])):
        held = {m for m in members if m in units.models}
        if str(label).startswith("pin:") or not held or not held <= logs:
            continue
        listened = {
            assign[edge.target]
            for edge in units.graph.edges(kinds=frozenset({"signal"}))
            if edge.source in members and edge.source in receivers
            and edge.target in assign and assign[edge.target] != label
        }  # fmt: skip
        _, external = coupling(affinity, assign)
        candidates = Counter({c: w for c, w in external.get(label, {}).items() if c in listened})
        if not candidates:
            continue
        target = best_label(candidates)
        for member in members:
            if member not in pinned:
                assign[member] = target
    return assign
