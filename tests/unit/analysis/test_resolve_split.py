"""Per-module evidence built in a forked child too gives the serial resolution exactly."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import analysis.resolve.split as split
from analysis import AnalysisOptions, analyze
from analysis.discover import discover
from analysis.parallel import _extract, in_child
from analysis.render import render_json
from analysis.report import build_report
from analysis.resolve import Resolution, resolve_facts
from tests.unit.analysis.helpers import FIXTURES

MONOLITH = Path(__file__).resolve().parents[3] / "monolith"


def _resolve(root: Path, offload: split.Offload | None) -> Resolution:
    found = discover(root)
    facts, files = {}, {}
    for item in found.files:
        _, entry, file_facts = _extract(item)
        if file_facts is not None and item.module not in facts:
            facts[item.module], files[item.module] = file_facts, item.rel
    return resolve_facts(facts, files, found.root_name, offload)


@pytest.mark.parametrize("root", [MONOLITH, FIXTURES / "shop"], ids=["monolith", "shop"])
def test_a_split_resolution_equals_the_serial_one(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = _resolve(root, None)
    monkeypatch.setattr(split, "SPLIT_THRESHOLD", 2)
    children: list[bytes | None] = []

    def counted(work: Callable[[], bytes]) -> Callable[[], bytes | None]:
        collect = in_child(work)
        return lambda: children.append(collect()) or children[-1]

    both = _resolve(root, counted)
    assert len(children) == 1 and children[0]  # the child's half came back from it
    assert len(serial.edges) > 20
    assert both.edges == serial.edges  # same records, same order
    assert both.nodes == serial.nodes
    assert both.state.readers == serial.state.readers  # what incremental runs start from


def test_a_failed_child_leaves_its_half_to_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[bool] = []

    def failing(work: object) -> object:
        started.append(True)
        return lambda: None

    serial = _resolve(MONOLITH, None)
    monkeypatch.setattr(split, "SPLIT_THRESHOLD", 2)
    fallen_back = _resolve(MONOLITH, failing)  # type: ignore[arg-type]
    assert started == [True]
    assert fallen_back.edges == serial.edges
    assert fallen_back.state.readers == serial.state.readers


def test_a_child_that_raises_reports_failure() -> None:
    def boom() -> bytes:
        raise RuntimeError("in the child")

    assert in_child(boom)() is None
    assert in_child(lambda: b"x" * 300_000)() == b"x" * 300_000  # more than a pipe buffer


def test_an_analysis_with_the_split_gives_the_same_json(monkeypatch: pytest.MonkeyPatch) -> None:
    serial = analyze(MONOLITH, AnalysisOptions(use_cache=False, jobs=1))
    monkeypatch.setattr(split, "SPLIT_THRESHOLD", 2)
    both = analyze(MONOLITH, AnalysisOptions(use_cache=False, jobs=2))
    as_json = [render_json(build_report(r, "symbol").contract) for r in (serial, both)]
    assert as_json[0] == as_json[1]
