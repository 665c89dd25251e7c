"""Renderers: deterministic JSON, readable text, well-formed DOT and Mermaid."""

from __future__ import annotations

import json

import pytest

from analysis import AnalysisOptions, analyze
from analysis.render import render_dot, render_json, render_mermaid, render_text
from analysis.report import Report, build_report
from tests.unit.analysis.helpers import FIXTURES


@pytest.fixture(scope="module")
def report() -> Report:
    return build_report(analyze(FIXTURES / "shop", AnalysisOptions(use_cache=False, jobs=1)), "app")


def test_json_is_byte_identical_for_identical_input() -> None:
    options = AnalysisOptions(use_cache=False, jobs=1)
    first = render_json(build_report(analyze(FIXTURES / "shop", options), "symbol").contract)
    second = render_json(build_report(analyze(FIXTURES / "shop", options), "symbol").contract)
    assert first == second
    data = json.loads(first)
    assert data["schema_version"] == 1
    assert data["root"] == "shop"
    ids = [node["id"] for node in data["nodes"]]
    assert ids == sorted(ids)
    node = next(n for n in data["nodes"] if n["id"] == "shop.orders.models:Order")
    assert node == {
        "id": "shop.orders.models:Order",
        "kind": "class",
        "module": "shop.orders.models",
        "app": "sales",
        "file": "shop/orders/models.py",
        "line": 5,
        "tags": ["model"],
    }


def test_json_puts_each_node_and_edge_on_a_line_of_its_own(report: Report) -> None:
    text = render_json(report.contract)
    data = json.loads(text)
    assert text == render_json(data)  # what is read back renders to the same bytes
    lines = text.splitlines()
    for item in (*data["nodes"], *data["edges"]):
        line = json.dumps(item, sort_keys=True, ensure_ascii=False, separators=(", ", ": "))
        assert f"    {line}," in lines or f"    {line}" in lines  # one per line, compact
    assert lines[0] == "{" and lines[-1] == "}" and '  "granularity": "app",' in lines
    assert render_json({"empty": [], "n": 0, "s": "é"}) == (
        '{\n  "empty": [],\n  "n": 0,\n  "s": "é"\n}\n')


def test_app_granularity_json_uses_app_labels(report: Report) -> None:
    data = json.loads(render_json(report.contract))
    assert data["granularity"] == "app"
    assert [n["id"] for n in data["nodes"]] == ["accounts", "catalog", "sales", "shop"]
    edge = next(
        e
        for e in data["edges"]
        if (e["source"], e["target"], e["kind"]) == ("sales", "catalog", "fk")
    )
    assert edge["locations"] == [{"file": "shop/orders/models.py", "line": 8}]
    assert data["installed_apps"]["computed"] is True
    assert {u["pattern"] for u in data["urls"]} >= {"/orders/api/orders/"}


def test_text_summary_names_apps_models_dependencies_and_examples(report: Report) -> None:
    text = render_text(report)
    assert "sales                shop.orders" in text
    assert "models: Order, Receipt" in text
    assert "sales -> catalog  weight" in text
    assert "INSTALLED_APPS is computed" in text
    assert "Skipped files\n  none" in text
    assert "Cycles between apps\n  none" in text


def test_text_lists_each_tangled_group_with_an_example_cycle() -> None:
    options = AnalysisOptions(use_cache=False, jobs=1)
    text = render_text(build_report(analyze(FIXTURES / "cycles" / "pkg", options), "module"))
    assert (
        "Cycles between modules\n"
        "  3 tangled: pkg.a, pkg.b, pkg.c\n"
        "      e.g. pkg.a -> pkg.b -> pkg.c -> pkg.a\n"
        "  2 tangled: pkg.d, pkg.e\n"
        "      e.g. pkg.d -> pkg.e -> pkg.d\n"
    ) in text


def test_dot_and_mermaid_draw_every_edge(report: Report) -> None:
    dot = render_dot(report.graph)
    assert dot.startswith('digraph "shop" {') and dot.rstrip().endswith("}")
    assert '"sales" -> "catalog" [label="' in dot
    mermaid = render_mermaid(report.graph)
    assert mermaid.startswith("flowchart LR\n")
    pairs = {(e.source, e.target) for e in report.graph.edges()}
    assert mermaid.count("-->|") == len(pairs)
    assert dot.count(" -> ") == len(pairs)
