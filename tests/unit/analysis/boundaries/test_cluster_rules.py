"""The anchoring and kernel rules on small hand-made graphs."""

from analysis.boundaries import BoundaryOptions, propose
from analysis.graph.model import DependencyGraph
from analysis.records import EdgeRecord, Location, NodeRecord


def _graph(nodes, edges):
    records = [
        NodeRecord(node_id, "class", node_id.partition(":")[0], app, "f.py", 1, tags)
        for node_id, app, tags in nodes
    ]
    evidence = [
        EdgeRecord(s, t, kind, Location("f.py", line), detail)
        for line, (s, t, kind, detail) in enumerate(edges, start=1)
    ]
    return DependencyGraph.from_records(records, evidence, root="p")


def test_a_model_less_group_coupled_to_nothing_joins_its_apps_service():
    graph = _graph(
        [("a.models:Order", "a", ("model",)), ("a.serializers:OrderSerializer", "a", ()),
         ("a.views:OrderView", "a", ("view",)), ("a.tools:f", "a", ()), ("a.tools:g", "a", ()),
         ("b.models:Item", "b", ("model",)), ("b.views:ItemView", "b", ("view",)),
         ("b.serializers:ItemSerializer", "b", ())],
        [("a.serializers:OrderSerializer", "a.models:Order", "serializer", "meta.model"),
         ("a.views:OrderView", "a.serializers:OrderSerializer", "serializer", ""),
         ("a.views:OrderView", "a.models:Order", "orm", "read"),
         ("a.tools:f", "a.tools:g", "call", ""),
         ("b.serializers:ItemSerializer", "b.models:Item", "serializer", "meta.model"),
         ("b.views:ItemView", "b.serializers:ItemSerializer", "serializer", ""),
         ("b.views:ItemView", "b.models:Item", "orm", "write")],
    )  # fmt: skip
    models = {"a.models:Order": "a.Order", "b.models:Item": "b.Item"}
    proposal = propose(graph, models, [], BoundaryOptions())
    assert {s.name: s.members for s in proposal.services} == {
        "a": ("a.models:Order", "a.serializers:OrderSerializer", "a.tools:f", "a.tools:g",
              "a.views:OrderView"),
        "b": ("b.models:Item", "b.serializers:ItemSerializer", "b.views:ItemView"),
    }  # fmt: skip


def test_a_helper_module_used_by_three_apps_is_the_kernel():
    apps = ("a", "b", "c")
    nodes = [(f"{x}.models:M{x}", x, ("model",)) for x in apps]
    nodes += [(f"{x}.views:V{x}", x, ("view",)) for x in apps]
    nodes += [("common.util:clean", "common", ()), ("common.util:limit", "common", ())]
    edges = [(f"{x}.views:V{x}", f"{x}.models:M{x}", "orm", "write") for x in apps]
    edges += [(f"{x}.views:V{x}", "common.util:clean", "call", "") for x in apps]
    edges += [(f"{x}.views:V{x}", "common.util:limit", "call", "") for x in apps]
    models = {f"{x}.models:M{x}": f"{x}.M{x}" for x in apps}
    proposal = propose(_graph(nodes, edges), models, [], BoundaryOptions())
    assert proposal.kernel == ("common.util:clean", "common.util:limit")
    assert sorted(s.name for s in proposal.services) == ["a", "b", "c"]
    assert proposal.assignment["common.util:clean"] == "shared"
