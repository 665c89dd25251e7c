"""``build_plan``: a proposal, its seams, data ownership, the extraction order and the JSON."""

from __future__ import annotations

from collections.abc import Iterable

from analysis.boundaries import KERNEL_NAME, BoundaryOptions, propose
from analysis.boundaries.affinity import build_affinity
from analysis.boundaries.metrics import partition_metrics
from analysis.boundaries.units import units_of
from analysis.graph.model import DependencyGraph
from analysis.boundaries.model import Proposal
from analysis.plan.model import Plan, Seam, Step
from analysis.plan.order import order_services
from analysis.plan.ownership import ownership
from analysis.plan.seams import find_seams, service_links
from analysis.records import NodeRecord, UrlPattern


def build_plan(
    symbol_graph: DependencyGraph,
    models: dict[str, str],
    urls: Iterable[UrlPattern],
    options: BoundaryOptions,
    skipped: Iterable[tuple[str, str]] = (),
) -> Plan:
    urls = tuple(urls)
    proposal = propose(symbol_graph, models, urls, options)
    units = units_of(symbol_graph, models, options.granularity)
    graph = units.graph
    affinity = build_affinity(units, frozenset(proposal.kernel), options)
    assignment = proposal.assignment
    seams = find_seams(graph, assignment, KERNEL_NAME)
    metrics, per_service = partition_metrics(
        graph, assignment, affinity, options.ned_bounds, skip=KERNEL_NAME
    )
    model_units = _model_units(symbol_graph, models, options.granularity)
    owners, transactions = ownership(graph, model_units, assignment, KERNEL_NAME)
    names = [s.name for s in proposal.services]
    order, broken = order_services(seams, names, owners, transactions)
    by_name = {s.name: s for s in proposal.services}
    steps = []
    for index, (name, inbound, shared, risk) in enumerate(order, start=1):
        service = by_name[name]
        cut = tuple(s for s in seams if name in (s.from_service, s.to_service)
                    and KERNEL_NAME not in (s.from_service, s.to_service))
        steps.append(Step(index, name, service.members, service.models, service.tables,
                          service.url_patterns, cut, inbound, shared, risk))
    metrics["shared_writes"] = float(sum(1 for o in owners if o.shared_write))
    metrics["distributed_transactions"] = float(len(transactions))
    services_json = [
        {
            "name": s.name,
            "members": list(s.members),
            "modules": list(s.modules),
            "models": list(s.models),
            "tables": list(s.tables),
            "url_patterns": list(s.url_patterns),
            "url_prefixes": list(s.url_prefixes),
            "metrics": per_service.get(s.name, {}),
        }
        for s in proposal.services
    ]
    seams_json = [
        {
            "source": s.source, "target": s.target, "kind": s.kind,
            "from_service": s.from_service, "to_service": s.to_service,
            "locations": [{"file": f, "line": line} for f, line in s.locations],
            "change": s.change,
        }
        for s in seams
    ]  # fmt: skip
    contract = graph.to_contract_dict(
        services=services_json,
        seams=seams_json,
        metrics=metrics,
        skipped=[{"file": f, "reason": r} for f, r in skipped],
        seed=options.seed,
        shared_kernel=list(proposal.kernel),
        ownership=[
            {"model": o.model, "owner": o.owner, "readers": list(o.readers),
             "writers": list(o.writers), "shared_write": o.shared_write}
            for o in owners
        ],
        distributed_transactions=[
            {"owner": t.owner, "services": list(t.services), "models": list(t.models),
             "location": {"file": t.location.file, "line": t.location.line}}
            for t in transactions
        ],
        plan=[
            {"order": st.order, "service": st.service, "members": list(st.members),
             "models": list(st.models),
             "tables": list(st.tables), "url_patterns": list(st.url_patterns),
             "inbound_seams": st.inbound, "shared_writes": st.shared_writes, "risk": st.risk,
             "seams_to_cut": [
                 {"source": s.source, "target": s.target, "kind": s.kind,
                  "file": s.locations[0].file if s.locations else "",
                  "line": s.locations[0].line if s.locations else 0}
                 for s in st.seams_to_cut
             ]}
            for st in steps
        ],
        broken_cycle_edges=[{"from": a, "to": b, "weight": w} for a, b, w in broken],
    )  # fmt: skip
    return Plan(
        root=graph.root,
        proposal=proposal,
        seams=tuple(seams),
        ownership=tuple(owners),
        transactions=tuple(transactions),
        steps=tuple(steps),
        broken_cycle_edges=tuple(broken),
        links=tuple(service_links(seams)),
        service_graph=_service_graph(graph.root, proposal, seams),
        metrics=metrics,
        service_metrics=per_service,
        contract=contract,
    )


def _model_units(
    graph: DependencyGraph, models: dict[str, str], granularity: str
) -> dict[str, str]:
    if granularity == "symbol":
        return dict(models)
    found: dict[str, str] = {}
    for node_id, label in models.items():
        if node_id in graph:
            record = graph.node(node_id)
            found.setdefault(record.module if granularity == "module" else record.app, label)
    return found


def _service_graph(root: str, proposal: Proposal, seams: list[Seam]) -> DependencyGraph:
    """Services (and the kernel) as nodes, seams as typed edges with their evidence: the
    existing DOT and Mermaid renderers draw it unchanged."""
    graph = DependencyGraph(root=root, granularity="app")
    names = [s.name for s in proposal.services] + ([KERNEL_NAME] if proposal.kernel else [])
    for name in names:
        graph.add_node(NodeRecord(name, "app", name, name, "", 0, ("service",)))
    for seam in seams:
        graph.add_evidence(seam.from_service, seam.to_service, seam.kind, seam.locations,
                           weight=1)
    return graph
