"""Every cross-domain seam the monolith's ground truth lists is an edge of the analysis.

``monolith/ground_truth.toml`` (owned by the monolith) names each seam's kind, source,
target and file:line; the symbol-granularity graph must hold an edge of that kind from
source to target with that location among its evidence. ``transaction`` seams are edges
from the function (or class) owning a ``transaction.atomic`` block to each model written
inside it, located at the block's opening line and at each write.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from analysis import AnalysisOptions, AnalysisResult, analyze
from analysis.records import Location

REPO = Path(__file__).resolve().parents[3]
MONOLITH = REPO / "monolith"
GROUND_TRUTH = MONOLITH / "ground_truth.toml"


def _seams() -> list[dict[str, object]]:
    # No skip when the file is missing: the test must fail and say so.
    if not GROUND_TRUTH.is_file():
        return [{"missing": True}]
    seams = tomllib.loads(GROUND_TRUTH.read_text(encoding="utf-8")).get("seams", [])
    return seams or [{"missing": True}]


@pytest.fixture(scope="module")
def result() -> AnalysisResult:
    return analyze(MONOLITH, AnalysisOptions(use_cache=False, jobs=1))


def _seam_id(seam: dict[str, object]) -> str:
    if seam.get("missing"):
        return "ground-truth-missing"
    return f"{seam['kind']}:{seam['source']}->{seam['target']}@{seam['line']}"


@pytest.mark.parametrize("seam", _seams(), ids=_seam_id)
def test_seam_is_an_edge_with_its_location(result: AnalysisResult, seam: dict[str, object]) -> None:
    assert not seam.get("missing"), f"{GROUND_TRUTH} is missing or lists no [[seams]]"
    graph = result.graph
    source, target, kind = str(seam["source"]), str(seam["target"]), str(seam["kind"])
    assert source in graph, f"source {source} is not a node"
    assert target in graph, f"target {target} is not a node"
    edges = {edge.kind: edge for edge in graph.edges_between(source, target)}
    assert kind in edges, f"no {kind} edge {source} -> {target}; found {sorted(edges)}"
    wanted = Location(str(seam["file"]), int(seam["line"]))  # type: ignore[call-overload]
    assert wanted in edges[kind].locations, (
        f"{kind} edge {source} -> {target} lacks {wanted.file}:{wanted.line}; "
        f"has {[(loc.file, loc.line) for loc in edges[kind].locations]}"
    )


def test_ground_truth_domains_name_nodes_of_the_graph(result: AnalysisResult) -> None:
    assert GROUND_TRUTH.is_file(), f"{GROUND_TRUTH} is missing"
    domains = tomllib.loads(GROUND_TRUTH.read_text(encoding="utf-8"))["domains"]
    members = [member for listed in domains.values() for member in listed]
    missing = [member for member in members if member not in result.graph]
    assert members and not missing, f"domain members that are not nodes: {missing}"
