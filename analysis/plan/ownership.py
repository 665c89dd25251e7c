"""Data ownership: who reads and writes each model, tables written by more than one service
and ``transaction.atomic`` blocks that would span services."""

from __future__ import annotations

from analysis.graph.model import DependencyGraph
from analysis.plan.model import DistributedTransaction, ModelOwnership
from analysis.records import Location

_READ_KINDS = frozenset({"orm", "serializer", "fk", "o2o", "m2m"})


def ownership(
    graph: DependencyGraph, models: dict[str, str], assignment: dict[str, str], kernel: str
) -> tuple[list[ModelOwnership], list[DistributedTransaction]]:
    readers: dict[str, set[str]] = {m: set() for m in models}
    writers: dict[str, set[str]] = {m: set() for m in models}
    blocks: dict[tuple[str, Location], set[str]] = {}
    for edge in graph.edges():
        if edge.target not in models or edge.source not in assignment:
            continue
        service = assignment[edge.source]
        if service == kernel:  # seeders and wiring: a library, not an owner
            continue
        writes = any("write" in d for d in edge.details) or (
            edge.kind == "call" and edge.target in models
        )
        if edge.kind == "transaction":
            blocks.setdefault((edge.source, edge.locations[0]), set()).add(edge.target)
        if writes and edge.kind in ("orm", "transaction", "signal", "call"):
            writers[edge.target].add(service)
        elif edge.kind in _READ_KINDS:
            readers[edge.target].add(service)
    found = []
    for model_id, label in sorted(models.items(), key=lambda item: item[1]):
        owner = assignment.get(model_id, "")
        found.append(
            ModelOwnership(
                label,
                owner,
                tuple(sorted(readers[model_id] - {owner})),
                tuple(sorted(writers[model_id] | ({owner} if owner else set()))),
            )
        )
    transactions = []
    for (owner, location), written in sorted(blocks.items(), key=lambda i: (i[0][0], str(i[0][1]))):
        services = {assignment[m] for m in written if m in assignment}
        services.add(assignment[owner])
        if len(services) > 1:
            transactions.append(
                DistributedTransaction(
                    owner,
                    tuple(sorted(services)),
                    tuple(sorted(models[m] for m in written)),
                    location,
                )
            )
    return found, transactions
