"""Seams: every dependency edge crossing two proposed services (or a service and the shared
kernel), with the change cutting it takes."""

from __future__ import annotations

from analysis.graph.model import DependencyGraph
from collections import Counter

from analysis.plan.model import Seam, ServiceLink

CHANGES = {
    "fk": "replace the foreign key by an id column and an API call to the owner",
    "o2o": "replace the one-to-one by an id column and an API call to the owner",
    "m2m": "replace the many-to-many by a table of ids and an API call to the owner",
    "orm": "replace the ORM query by an API call to the owning service",
    "transaction": "split the atomic block: a saga or an outbox event between the services",
    "signal": "publish an event instead of the in-process signal",
    "serializer": "nest the other service's API representation instead of its serializer",
    "call": "call the owning service's API instead of the function",
    "reference": "depend on the owning service's API or a copied value type",
    "import": "import from the owning service's client, not its code",
    "url": "route the path to the owning service",
    "celery": "send the task to the owning service's queue",
}
KERNEL_CHANGE = "publish it as a shared library both sides depend on"


def find_seams(graph: DependencyGraph, assignment: dict[str, str], kernel: str) -> list[Seam]:
    seams = []
    for edge in graph.edges():
        a, b = assignment.get(edge.source), assignment.get(edge.target)
        if a is None or b is None or a == b:
            continue
        change = KERNEL_CHANGE if kernel in (a, b) else CHANGES.get(edge.kind, CHANGES["call"])
        seams.append(Seam(edge.source, edge.target, edge.kind, a, b, edge.locations, change))
    return seams


def service_links(seams: list[Seam]) -> list[ServiceLink]:
    pairs: dict[tuple[str, str], Counter[str]] = {}
    for seam in seams:
        pairs.setdefault((seam.from_service, seam.to_service), Counter())[seam.kind] += 1
    return [
        ServiceLink(
            a, b, sum(kinds.values()), tuple(sorted(kinds.items(), key=lambda i: (-i[1], i[0])))
        )
        for (a, b), kinds in sorted(pairs.items())
    ]
