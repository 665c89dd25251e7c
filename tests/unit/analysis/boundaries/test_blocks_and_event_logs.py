"""URL blocks, event-log folding and Louvain restarts, on small hand-made graphs (what
they change on the monolith is tested in test_monolith_quality.py)."""

import networkx as nx
import pytest

from analysis.boundaries import BoundaryOptions, propose
from analysis.boundaries.blocks import louvain, url_blocks
from analysis.boundaries.eventlog import event_log_models
from analysis.boundaries.units import units_of
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


def test_a_catch_all_word_and_pinned_views_form_no_block():
    words = {"v:a": "app", "v:b": "app", "v:c": "app", "v:d": "shop", "v:e": "shop"}
    assert url_blocks(words, {}) == {"v:d": ("v:d", "v:e"), "v:e": ("v:d", "v:e")}
    assert url_blocks({"v:d": "shop", "v:e": "shop", "v:f": "x", "v:g": "y"}, {"v:e": "p"}) == {}


# An outbox: a generic log written only by receivers of the catalog's signals.
def _outbox_graph(log_holds_a_relation: bool):
    nodes = [
        ("catalog.models:Title", "catalog", ("model",)),
        ("catalog.models:Genre", "catalog", ("model",)),
        ("catalog.serializers:TitleSerializer", "catalog", ()),
        ("catalog.views:TitleView", "catalog", ("view",)),
        ("catalog.views:GenreView", "catalog", ("view",)),
        ("outbox.models:Event", "outbox", ("model",)),
        ("outbox.receivers:record", "outbox", ()),
        ("outbox.receivers:title_saved", "outbox", ("receiver",)),
        ("outbox.receivers:title_deleted", "outbox", ("receiver",)),
        ("outbox.views:EventsView", "outbox", ("view",)),
        ("outbox.views:ExportView", "outbox", ("view",)),
    ]
    edges = [
        ("catalog.models:Title", "catalog.models:Genre", "m2m", ""),
        ("catalog.serializers:TitleSerializer", "catalog.models:Title", "serializer", "meta.model"),
        ("catalog.views:TitleView", "catalog.serializers:TitleSerializer", "serializer", ""),
        ("catalog.views:TitleView", "catalog.models:Title", "orm", "write"),
        ("catalog.views:GenreView", "catalog.models:Genre", "orm", "read"),
        ("outbox.receivers:record", "outbox.models:Event", "orm", "write"),
        ("outbox.receivers:title_saved", "outbox.receivers:record", "call", ""),
        ("outbox.receivers:title_saved", "catalog.models:Title", "signal", "sender"),
        ("outbox.receivers:title_deleted", "outbox.models:Event", "signal", "receiver write"),
        ("outbox.receivers:title_deleted", "outbox.models:Event", "orm", "write"),
        ("outbox.receivers:title_deleted", "catalog.models:Title", "signal", "sender"),
        ("outbox.views:EventsView", "outbox.models:Event", "orm", "read"),
        ("outbox.views:ExportView", "outbox.models:Event", "orm", "read"),
        ("outbox.views:ExportView", "outbox.views:EventsView", "call", ""),
    ]  # fmt: skip
    if log_holds_a_relation:
        edges.append(("outbox.models:Event", "catalog.models:Title", "fk", ""))
    models = {"catalog.models:Title": "catalog.Title", "catalog.models:Genre": "catalog.Genre",
              "outbox.models:Event": "outbox.Event"}  # fmt: skip
    return _graph(nodes, edges), models


def test_an_event_log_written_only_by_receivers_joins_what_it_records():
    graph, models = _outbox_graph(log_holds_a_relation=False)
    assert event_log_models(units_of(graph, models, "symbol")) == {"outbox.models:Event"}
    proposal = propose(graph, models, [], BoundaryOptions())
    assert [s.name for s in proposal.services] == ["catalog"]
    assert proposal.assignment["outbox.views:EventsView"] == "catalog"
    apart = propose(graph, models, [], BoundaryOptions(event_logs=False))
    assert sorted(s.name for s in apart.services) == ["catalog", "outbox"]


def test_a_receiver_written_entity_with_relations_keeps_its_own_service():
    graph, models = _outbox_graph(log_holds_a_relation=True)
    assert event_log_models(units_of(graph, models, "symbol")) == set()
    proposal = propose(graph, models, [], BoundaryOptions())
    assert sorted(s.name for s in proposal.services) == ["catalog", "outbox"]


@pytest.mark.parametrize("seed", [0, 7])
def test_restarts_keep_the_partition_of_highest_modularity(seed):
    graph = nx.les_miserables_graph()
    single = [louvain(graph, {}, 1.0, s) for s in range(seed, seed + 5)]
    qualities = [nx.community.modularity(graph, [set(c) for c in p]) for p in single]
    best = louvain(graph, {}, 1.0, seed, restarts=5)
    assert nx.community.modularity(graph, [set(c) for c in best]) == pytest.approx(max(qualities))
    assert best == single[qualities.index(max(qualities))]
