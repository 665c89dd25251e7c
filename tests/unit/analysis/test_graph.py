import pytest

from analysis.graph.model import DependencyGraph
from analysis.records import EdgeRecord, Location, NodeRecord


def _node(node_id: str, app: str) -> NodeRecord:
    module, _, name = node_id.partition(":")
    kind = "class" if name else "module"
    return NodeRecord(
        node_id, kind, module, app, module.replace(".", "/") + ".py", 3 if name else 1
    )


def _edge(source: str, target: str, kind: str, line: int, detail: str = "") -> EdgeRecord:
    file = source.partition(":")[0].replace(".", "/") + ".py"
    return EdgeRecord(source, target, kind, Location(file, line), detail)


@pytest.fixture
def graph() -> DependencyGraph:
    nodes = [
        _node("m.a.models", "a"),
        _node("m.a.models:A", "a"),
        _node("m.a.views", "a"),
        _node("m.a.views:view", "a"),
        _node("m.b.models", "b"),
        _node("m.b.models:B", "b"),
        _node("m.b.services:job", "b"),
        _node("m.b.services", "b"),
    ]
    edges = [
        _edge("m.b.models:B", "m.a.models:A", "fk", 5),
        _edge("m.a.views:view", "m.b.models:B", "orm", 7, "read"),
        _edge("m.a.views:view", "m.b.models:B", "orm", 9, "write"),
        _edge("m.a.views:view", "m.b.models:B", "orm", 9, "write"),  # same place twice
        _edge("m.a.views:view", "m.a.models:A", "call", 8),
        _edge("m.b.services:job", "m.a.views:view", "signal", 4),
        _edge("m.b.services", "m.a.views", "import", 1),
        _edge("m.a.views", "m.b.services", "import", 2),
    ]
    return DependencyGraph.from_records(nodes, edges, root="m")


def test_evidence_merges_into_weighted_typed_edges(graph: DependencyGraph) -> None:
    (orm,) = [e for e in graph.edges_between("m.a.views:view", "m.b.models:B")]
    assert orm.kind == "orm"
    assert orm.weight == 3
    assert orm.locations == (Location("m/a/views.py", 7), Location("m/a/views.py", 9))
    assert orm.details == ("read", "write")


def test_verbs_answer_without_networkx(graph: DependencyGraph) -> None:
    assert graph.dependencies_of("m.a.views:view") == {"m.b.models:B", "m.a.models:A"}
    assert graph.dependencies_of("m.a.views:view", kinds=["call"]) == {"m.a.models:A"}
    assert graph.dependents_of("m.a.models:A") == {"m.b.models:B", "m.a.views:view"}
    assert graph.weight_between("m.a.views:view", "m.b.models:B") == 3
    assert [n.id for n in graph.nodes(app="b")] == [
        "m.b.models",
        "m.b.models:B",
        "m.b.services",
        "m.b.services:job",
    ]


def test_weight_by_kind_is_the_edges_weights_summed(graph: DependencyGraph) -> None:
    summed: dict[str, int] = {}
    for edge in graph.edges():
        summed[edge.kind] = summed.get(edge.kind, 0) + edge.weight
    assert graph.weight_by_kind() == summed and summed["orm"] == 3


def test_unknown_nodes_are_refused() -> None:
    with pytest.raises(KeyError, match="nowhere"):
        DependencyGraph.from_records(
            [_node("m.x", "x")], [_edge("m.x", "nowhere", "call", 1)], root="m"
        )


def test_aggregation_to_modules_and_apps_sums_weights_and_drops_internal_edges(
    graph: DependencyGraph,
) -> None:
    modules = graph.aggregate("module")
    assert [n.id for n in modules.nodes()] == [
        "m.a.models",
        "m.a.views",
        "m.b.models",
        "m.b.services",
    ]
    assert {(e.source, e.target, e.kind, e.weight) for e in modules.edges()} == {
        ("m.b.models", "m.a.models", "fk", 1),
        ("m.a.views", "m.b.models", "orm", 3),
        ("m.a.views", "m.a.models", "call", 1),
        ("m.b.services", "m.a.views", "signal", 1),
        ("m.b.services", "m.a.views", "import", 1),
        ("m.a.views", "m.b.services", "import", 1),
    }
    apps = graph.aggregate("app")
    assert [(n.id, n.kind) for n in apps.nodes()] == [("a", "app"), ("b", "app")]
    assert {(e.source, e.target, e.kind, e.weight) for e in apps.edges()} == {
        ("b", "a", "fk", 1),
        ("a", "b", "orm", 3),
        ("b", "a", "signal", 1),
        ("b", "a", "import", 1),
        ("a", "b", "import", 1),
    }
    orm = apps.edges_between("a", "b")[1]
    assert (orm.kind, orm.details) == ("orm", ("read", "write"))


def test_cycles_between_modules_and_apps(graph: DependencyGraph) -> None:
    assert graph.aggregate("module").find_cycles() == [["m.a.views", "m.b.services"]]
    assert graph.aggregate("app").find_cycles() == [["a", "b"]]
    # Only fk + orm: a -> b via orm, b -> a via fk is still a cycle; imports alone are too.
    assert graph.aggregate("app").find_cycles(kinds=["import"]) == [["a", "b"]]
    assert graph.aggregate("app").find_cycles(kinds=["fk"]) == []


def test_subgraph_copies_and_keeps_only_inner_edges(graph: DependencyGraph) -> None:
    sub = graph.subgraph(["m.a.views:view", "m.b.models:B"])
    assert len(sub) == 2
    assert [(e.source, e.target, e.kind) for e in sub.edges()] == [
        ("m.a.views:view", "m.b.models:B", "orm")
    ]
    sub.add_evidence("m.a.views:view", "m.b.models:B", "orm", [Location("x.py", 1)])
    assert graph.weight_between("m.a.views:view", "m.b.models:B") == 3


def test_contract_dict_has_the_fixed_keys(graph: DependencyGraph) -> None:
    data = graph.to_contract_dict(skipped=[{"file": "x.py", "reason": "syntax error"}])
    assert data["schema_version"] == 1
    assert data["root"] == "m"
    assert data["granularity"] == "symbol"
    assert {"nodes", "edges", "services", "seams", "metrics", "skipped"} <= data.keys()
    first = data["edges"][0]  # type: ignore[index]
    assert set(first) >= {"source", "target", "kind", "weight", "locations"}
    assert data["skipped"] == [{"file": "x.py", "reason": "syntax error"}]


def test_to_networkx_returns_an_independent_weighted_copy(graph: DependencyGraph) -> None:
    simple = graph.to_networkx()
    assert simple["m.a.views:view"]["m.b.models:B"]["weight"] == 3
    simple.remove_node("m.a.views:view")
    assert "m.a.views:view" in graph
