"""A graph pickled by columns (``analysis.graph.stored``) comes back equal, and patchable."""

from __future__ import annotations

import pickle

from analysis.graph.model import DependencyGraph
from analysis.records import EdgeRecord, Location, NodeRecord


def _node(node_id: str, tags: tuple[str, ...] = ()) -> NodeRecord:
    module, _, name = node_id.partition(":")
    return NodeRecord(node_id, "class" if name else "module", module, "a", f"{module}.py", 2, tags)


def _edge(source: str, target: str, kind: str, line: int, detail: str = "") -> EdgeRecord:
    file = f"{source.partition(':')[0]}.py"
    return EdgeRecord(source, target, kind, Location(file, line), detail)


def _graph() -> DependencyGraph:
    nodes = [_node("m.z"), _node("m.z:Z", ("model",)), _node("m.a"), _node("m.a:f"), _node("m.b")]
    edges = [
        _edge("m.a:f", "m.z:Z", "orm", 4, "read"),
        _edge("m.a:f", "m.z:Z", "orm", 5, "write"),
        _edge("m.a:f", "m.z:Z", "call", 5),
        _edge("m.b", "m.z", "import", 1),
        _edge("m.a", "m.z", "import", 1, "type_checking"),
        _edge("m.z", "m.b", "import", 3),
    ]
    return DependencyGraph.from_records(nodes, edges, root="m")


def _layout(graph: DependencyGraph) -> object:
    """Everything networkx holds, in order (node records, successors, predecessors)."""
    g = graph._g
    return (
        [(n, d["record"]) for n, d in g._node.items()],
        [(n, list(s)) for n, s in g._succ.items()],
        [(n, list(p)) for n, p in g._pred.items()],
    )


def test_a_graph_survives_pickling_by_columns() -> None:
    graph = _graph()
    loaded = pickle.loads(pickle.dumps(graph, protocol=pickle.HIGHEST_PROTOCOL))
    assert (loaded.root, loaded.granularity) == ("m", "symbol")
    assert loaded.nodes() == graph.nodes()
    assert loaded.edges() == graph.edges()
    assert _layout(loaded) == _layout(graph)
    (orm,) = loaded.edges_between("m.a:f", "m.z:Z")[1:]
    assert (orm.weight, orm.details, type(orm.locations[0])) == (2, ("read", "write"), Location)
    # Successor and predecessor dicts share one edge dict, as networkx builds them.
    assert loaded._g._succ["m.a:f"]["m.z:Z"] is loaded._g._pred["m.z:Z"]["m.a:f"]


def test_a_loaded_graph_patches_like_a_built_one() -> None:
    loaded = pickle.loads(pickle.dumps(_graph()))
    removed = [_edge("m.a:f", "m.z:Z", "orm", 5, "write"), _edge("m.a:f", "m.z:Z", "call", 5)]
    added = [_edge("m.a:f", "m.b", "import", 9)]
    loaded.patch(removed, added)
    expected = _graph()
    expected.patch(removed, added)
    assert loaded.edges() == expected.edges()
    assert [e.kind for e in loaded.edges_between("m.a:f", "m.z:Z")] == ["orm"]
    assert loaded.edges_between("m.a:f", "m.z:Z")[0].details == ("read",)


def test_an_empty_graph_survives_pickling() -> None:
    empty = DependencyGraph.from_records([], [], root="r")
    loaded = pickle.loads(pickle.dumps(empty))
    assert (len(loaded), loaded.edges(), loaded.root) == (0, [], "r")
