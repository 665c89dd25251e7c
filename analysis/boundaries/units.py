"""What gets clustered: the "units" of a graph at one granularity, and which hold models.

At symbol granularity the units are the top-level classes and functions (a module such as
``core/models.py`` holding three domains is split by domain); modules follow their symbols
afterwards. At module or app granularity every node is a unit.
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.graph.model import DependencyGraph

DATA_KINDS = frozenset({"fk", "o2o", "m2m", "orm", "transaction", "serializer"})
RELATION_KINDS = frozenset({"fk", "o2o", "m2m"})


@dataclass(frozen=True)
class Units:
    graph: DependencyGraph  # at the proposal's granularity
    ids: tuple[str, ...]  # clustered nodes, sorted
    models: dict[str, tuple[str, ...]]  # unit -> "label.Model"s it holds (model units only)
    app: dict[str, str]
    module: dict[str, str]


def units_of(symbol_graph: DependencyGraph, models: dict[str, str], granularity: str) -> Units:
    """The units of ``symbol_graph`` at ``granularity``; ``models`` maps model node id ->
    "label.Model" (``AnalysisResult.models``)."""
    graph = symbol_graph if granularity == "symbol" else symbol_graph.aggregate(granularity)
    if granularity == "symbol":
        ids = tuple(n.id for n in graph.nodes() if n.kind != "module")
    else:
        ids = tuple(n.id for n in graph.nodes())
    held: dict[str, list[str]] = {}
    for node_id, label in sorted(models.items()):
        if node_id not in symbol_graph:
            continue
        record = symbol_graph.node(node_id)
        if "abstract" in record.tags:
            continue
        unit = {"symbol": node_id, "module": record.module, "app": record.app}[granularity]
        held.setdefault(unit, []).append(label)
    app = {n.id: n.app for n in graph.nodes()}
    module = {n.id: (n.module if granularity != "app" else n.id) for n in graph.nodes()}
    return Units(
        graph=graph,
        ids=ids,
        models={unit: tuple(labels) for unit, labels in held.items() if unit in app},
        app=app,
        module=module,
    )
