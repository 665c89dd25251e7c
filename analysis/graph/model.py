"""``DependencyGraph``: the typed, weighted dependency graph, networkx kept private.

Nodes carry the contract's attributes (kind, module, app, file, line, tags). Between two
nodes there is at most one edge per kind; each edge has a weight (how many pieces of
evidence) and the sorted, de-duplicated locations of that evidence, plus ``details`` (e.g.
"read"/"write" for orm edges). Callers use the verbs below, never networkx itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from analysis.records import EdgeRecord, Location, NodeRecord

GRANULARITIES = ("symbol", "module", "app")


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    kind: str
    weight: int
    locations: tuple[Location, ...]
    details: tuple[str, ...] = ()


class _Evidence:
    """Mutable accumulator behind one (source, target, kind) edge.

    ``details`` counts the records giving each detail, so that the evidence of one file can
    be taken away again exactly (``DependencyGraph.patch``).
    """

    __slots__ = ("weight", "locations", "details")

    def __init__(self) -> None:
        self.weight = 0
        self.locations: set[Location] = set()
        self.details: dict[str, int] = {}

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # Only for evidence pickled on its own: a whole graph pickles its evidence by
        # columns (``DependencyGraph.__reduce__``).
        return _restore_evidence, (self.weight, tuple(map(tuple, self.locations)), self.details)

    def copy(self) -> _Evidence:
        other = _Evidence()
        other.weight = self.weight
        other.locations = set(self.locations)
        other.details = dict(self.details)
        return other


def _restore_evidence(
    weight: int, locations: tuple[tuple[str, int], ...], details: dict[str, int]
) -> _Evidence:
    evidence = _Evidence()
    evidence.weight = weight
    evidence.locations = set(map(Location._make, locations))
    evidence.details = details
    return evidence


class DependencyGraph:
    """Build with ``DependencyGraph.from_records``; aggregate with ``aggregate``.

    Internally a networkx ``DiGraph`` whose edge attribute dict maps each kind to its
    evidence (no wrapping dict: one dict less per edge to build and to load): one networkx
    edge per node pair keeps building and traversal cheap.
    """

    def __init__(self, *, root: str, granularity: str) -> None:
        if granularity not in GRANULARITIES:
            raise ValueError(f"granularity must be one of {GRANULARITIES}, not {granularity!r}")
        self.root = root
        self.granularity = granularity
        self._g: nx.DiGraph = nx.DiGraph()

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # By columns: the stored result of a large codebase loads ~3x faster so.
        from analysis.graph.stored import graph_columns, restore_graph

        return restore_graph, graph_columns(self)

    # building ---------------------------------------------------------------------
    @classmethod
    def from_records(
        cls,
        nodes: Iterable[NodeRecord],
        edges: Iterable[EdgeRecord],
        *,
        root: str,
        granularity: str = "symbol",
    ) -> DependencyGraph:
        graph = cls(root=root, granularity=granularity)
        g = graph._g
        # networkx's own dicts filled directly (as ``add_nodes_from``/``add_edges_from`` would
        # fill them, in the same order): its per-edge bookkeeping was a third of the build.
        known = g._node
        succ, pred = g._succ, g._pred
        for node in nodes:
            data = known.get(node.id)
            if data is None:
                known[node.id] = {"record": node}
                succ[node.id] = {}
                pred[node.id] = {}
            else:
                data["record"] = node
        for edge in edges:
            source, target = edge.source, edge.target
            data = succ[source].get(target) if source in known else None
            if data is None:
                if source not in known or target not in known:
                    missing = source if source not in known else target
                    raise KeyError(f"unknown node {missing!r}")
                data = succ[source][target] = pred[target][source] = {}
            evidence = data.get(edge.kind)
            if evidence is None:
                evidence = data[edge.kind] = _Evidence()
            evidence.weight += 1
            evidence.locations.add(edge.location)
            if edge.detail:
                details = evidence.details
                details[edge.detail] = details.get(edge.detail, 0) + 1
        return graph

    def patch(
        self,
        removed: Iterable[EdgeRecord],
        added: Iterable[EdgeRecord],
        nodes_removed: Iterable[str] = (),
        nodes_added: Iterable[NodeRecord] = (),
    ) -> None:
        """Replace evidence in place: ``removed`` records are taken away, ``added`` ones added.

        ``removed`` must be every record of the files it names (their locations go with
        them); nodes are replaced (a node still holding edges is a caller bug: ``ValueError``).
        The result equals ``from_records`` over the new records, whatever the order.
        """
        g = self._g
        for node in nodes_added:
            g.add_node(node.id, record=node)
        for edge in removed:
            kinds = g.adj[edge.source][edge.target]
            evidence = kinds[edge.kind]
            evidence.weight -= 1
            evidence.locations.discard(edge.location)
            if edge.detail:
                left = evidence.details[edge.detail] - 1
                if left:
                    evidence.details[edge.detail] = left
                else:
                    del evidence.details[edge.detail]
            if not evidence.weight:
                del kinds[edge.kind]
                if not kinds:
                    g.remove_edge(edge.source, edge.target)
        known = g._node
        for edge in added:
            if edge.source not in known or edge.target not in known:
                missing = edge.source if edge.source not in known else edge.target
                raise KeyError(f"unknown node {missing!r}")
            kinds = g.adj[edge.source].get(edge.target)
            if kinds is None:
                g.add_edge(edge.source, edge.target)
                kinds = g.adj[edge.source][edge.target]
            evidence = kinds.get(edge.kind)
            if evidence is None:
                evidence = kinds[edge.kind] = _Evidence()
            evidence.weight += 1
            evidence.locations.add(edge.location)
            if edge.detail:
                evidence.details[edge.detail] = evidence.details.get(edge.detail, 0) + 1
        keep = {node.id for node in nodes_added}
        for node_id in nodes_removed:
            if node_id in keep or node_id not in g:
                continue
            if g.degree(node_id):
                raise ValueError(f"node {node_id!r} still has edges")
            g.remove_node(node_id)

    def add_node(self, node: NodeRecord) -> None:
        self._g.add_node(node.id, record=node)

    def add_evidence(
        self,
        source: str,
        target: str,
        kind: str,
        locations: Iterable[Location],
        detail: str = "",
        weight: int | None = None,
    ) -> None:
        """Add evidence to the ``kind`` edge source->target (created when missing).

        ``weight`` defaults to the number of locations given. Both endpoints must be nodes
        already: evidence about unknown code is a caller bug (``KeyError``).
        """
        if source not in self._g or target not in self._g:
            missing = source if source not in self._g else target
            raise KeyError(f"unknown node {missing!r}")
        locations = list(locations)
        if not self._g.has_edge(source, target):
            self._g.add_edge(source, target)
        kinds = self._g[source][target]
        evidence = kinds.get(kind)
        if evidence is None:
            evidence = kinds[kind] = _Evidence()
        evidence.weight += len(locations) if weight is None else weight
        evidence.locations.update(locations)
        if detail:
            evidence.details[detail] = evidence.details.get(detail, 0) + 1

    # reading ----------------------------------------------------------------------
    def __contains__(self, node_id: object) -> bool:
        return node_id in self._g

    def __len__(self) -> int:
        return self._g.number_of_nodes()

    def node(self, node_id: str) -> NodeRecord:
        return self._g.nodes[node_id]["record"]

    def nodes(self, *, tag: str | None = None, app: str | None = None) -> list[NodeRecord]:
        """Nodes sorted by id, optionally only those with ``tag`` or in ``app``."""
        found = [data["record"] for _, data in self._g.nodes(data=True)]
        if tag is not None:
            found = [n for n in found if tag in n.tags]
        if app is not None:
            found = [n for n in found if n.app == app]
        return sorted(found, key=lambda n: n.id)

    def edges(self, *, kinds: Iterable[str] | None = None) -> list[Edge]:
        """Edges sorted by (source, target, kind), optionally of some kinds only."""
        wanted = set(kinds) if kinds is not None else None
        found = [
            _edge(source, target, kind, evidence)
            for source, target, data in self._g.edges(data=True)
            for kind, evidence in data.items()
            if wanted is None or kind in wanted
        ]
        return sorted(found, key=lambda e: (e.source, e.target, e.kind))

    def weight_by_kind(self) -> dict[str, int]:
        """Total weight per edge kind (``edges()`` summed, without building the edges)."""
        totals: dict[str, int] = {}
        for _, _, data in self._g.edges(data=True):
            for kind, evidence in data.items():
                totals[kind] = totals.get(kind, 0) + evidence.weight
        return totals

    def edges_between(self, source: str, target: str) -> list[Edge]:
        """Every edge source->target, one per kind (empty if none)."""
        data = self._g.get_edge_data(source, target) or {}
        return sorted(
            (_edge(source, target, k, ev) for k, ev in data.items()),
            key=lambda e: e.kind,
        )

    def dependencies_of(self, node_id: str, *, kinds: Iterable[str] | None = None) -> set[str]:
        """Nodes ``node_id`` depends on directly (one hop)."""
        wanted = set(kinds) if kinds is not None else None
        return {
            target
            for _, target, data in self._g.out_edges(node_id, data=True)
            if wanted is None or wanted & data.keys()
        }

    def dependents_of(self, node_id: str, *, kinds: Iterable[str] | None = None) -> set[str]:
        """Nodes that depend directly on ``node_id``."""
        wanted = set(kinds) if kinds is not None else None
        return {
            source
            for source, _, data in self._g.in_edges(node_id, data=True)
            if wanted is None or wanted & data.keys()
        }

    def weight_between(self, source: str, target: str) -> int:
        return sum(e.weight for e in self.edges_between(source, target))

    def subgraph(self, node_ids: Iterable[str]) -> DependencyGraph:
        """A copy holding only these nodes and the edges among them."""
        keep = set(node_ids)
        graph = DependencyGraph(root=self.root, granularity=self.granularity)
        graph._g.add_nodes_from((n, dict(self._g.nodes[n])) for n in keep if n in self._g)
        for source, target, data in self._g.subgraph(keep).edges(data=True):
            graph._g.add_edge(source, target)
            graph._g[source][target].update((kind, ev.copy()) for kind, ev in data.items())
        return graph

    # derived views (implemented in sibling modules) ---------------------------------
    def aggregate(self, granularity: str) -> DependencyGraph:
        """The same dependencies at "module" or "app" granularity (or a copy at "symbol")."""
        from analysis.graph.aggregate import aggregate

        return aggregate(self, granularity)

    def find_cycles(self, *, kinds: Iterable[str] | None = None) -> list[list[str]]:
        """One shortest cycle per strongly connected group, in the groups' (sorted) order.

        ``kinds`` defaults to every kind but ``signal`` (see ``analysis.graph.cycles``).
        """
        from analysis.graph.cycles import find_cycles

        return find_cycles(self, kinds=kinds)

    def strongly_connected_groups(self, *, kinds: Iterable[str] | None = None) -> list[list[str]]:
        from analysis.graph.cycles import strongly_connected_groups

        return strongly_connected_groups(self, kinds=kinds)

    def to_contract_dict(self, **extra: object) -> dict[str, object]:
        """The JSON contract's dict (schema_version 1); ``extra`` keys are merged in."""
        from analysis.graph.contract import contract_dict

        return contract_dict(self, **extra)

    def to_networkx(self) -> nx.DiGraph:
        """A plain weighted DiGraph copy (kinds summed) for algorithms such as clustering.

        The copy is the caller's; changing it never changes this graph.
        """
        simple = nx.DiGraph()
        # Sorted, so that a graph patched in place gives the same copy as one built anew.
        simple.add_nodes_from(sorted(self._g.nodes))
        simple.add_edges_from(
            (source, target, {"weight": sum(ev.weight for ev in data.values())})
            for source, target, data in sorted(self._g.edges(data=True), key=_pair)
        )
        return simple


def _pair(item: tuple[str, str, object]) -> tuple[str, str]:
    return item[0], item[1]


def _edge(source: str, target: str, kind: str, evidence: _Evidence) -> Edge:
    return Edge(
        source,
        target,
        kind,
        evidence.weight,
        tuple(sorted(evidence.locations)),
        tuple(sorted(evidence.details)),
    )
