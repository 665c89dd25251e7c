import tomllib

from analysis.boundaries.metrics import partition_metrics
from analysis.boundaries.model import Proposal, Service
from analysis.boundaries.naming import url_word
from analysis.boundaries.propose import url_prefix
from analysis.graph.model import DependencyGraph
from analysis.records import EdgeRecord, Location, NodeRecord
from analysis.render.routes_toml import render_routes_toml


def _graph():
    nodes = [NodeRecord(n, "function", "m", "app", "m.py", 1) for n in "abcd"]
    edges = [EdgeRecord(s, t, "call", Location("m.py", i))
             for i, (s, t) in enumerate([("a", "b"), ("b", "a"), ("c", "d"), ("a", "c")])]
    return DependencyGraph.from_records(nodes, edges, root="r")


def test_structural_modularity_icp_ifn_by_hand():
    overall, per = partition_metrics(_graph(), {"a": "x", "b": "x", "c": "y", "d": "y"},
                                     None, (1, 10))
    # scoh = (2/4 + 1/4) / 2 = 0.375; scop = (1 / (2*2*2)) / 1 = 0.125
    assert overall["structural_modularity"] == 0.25
    assert overall["icp"] == 0.25  # one call of four crosses
    assert overall["ifn"] == 0.5  # c is used from x: one interface member over two services
    assert overall["ned"] == 1.0
    assert per["x"]["cohesion"] == 1.0 and per["y"]["coupling"] == 0.5
    assert per["x"]["coupling"] == round(1 / 3, 4)


def test_url_helpers():
    assert url_prefix("/api/recommendations/similar/<int:pk>/") == "/api/recommendations/similar/"
    assert url_prefix("/healthz") == "/healthz"
    assert url_word("/api/v1/catalog/titles/") == "catalog"
    assert url_word("/<slug:x>/") == ""


def test_routes_toml_has_one_placeholder_per_service_and_every_route_in_monolith():
    services = tuple(
        Service(name, (f"m:{name}",), (), (), (), (), prefixes)
        for name, prefixes in (("books", ("/api/books/", "/api/books/shelves/")),
                               ("loans", ("/api/loans/",)))
    )
    text = render_routes_toml(Proposal("symbol", 1, services, (), {}))
    data = tomllib.loads(text)
    assert data["default"] == "monolith"
    assert data["upstreams"]["monolith"]["url"] == "http://127.0.0.1:8000"
    assert data["upstreams"]["books"]["url"] == "http://127.0.0.1:8001"
    assert [(r["name"], r["path"], r["upstream"], r["stage"]) for r in data["routes"]] == [
        ("books-1", "/api/books/", "books", "monolith"),
        ("books-2", "/api/books/shelves/", "books", "monolith"),
        ("loans-1", "/api/loans/", "loans", "monolith"),
    ]
