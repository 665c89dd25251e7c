"""The fact cache and parallel extraction give the same graph as a cold serial run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from analysis import AnalysisOptions, analyze
from analysis.cache import SHARDS, shard_of
from analysis.parallel import PARALLEL_THRESHOLD
from analysis.render import render_json
from analysis.report import build_report


def _project(root: Path, modules: int) -> Path:
    pkg = root / "gen"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    for index in range(modules):
        previous = f"from gen.m{index - 1} import f{index - 1}\n" if index else ""
        call = f"f{index - 1}()" if index else "0"
        (pkg / f"m{index}.py").write_text(f"{previous}\n\ndef f{index}():\n    return {call}\n")
    return pkg


def _json(path: Path, options: AnalysisOptions) -> str:
    return render_json(build_report(analyze(path, options), "symbol").contract)


def test_warm_runs_reuse_facts_and_notice_changes(tmp_path: Path) -> None:
    pkg = _project(tmp_path, 5)
    options = AnalysisOptions(cache_dir=tmp_path / "cache", jobs=1)
    cold = analyze(pkg, options)
    assert (cold.stats.parsed, cold.stats.from_cache) == (6, 0)
    warm = analyze(pkg, options)
    assert (warm.stats.parsed, warm.stats.from_cache) == (0, 6)
    # Touched but unchanged: re-hashed, not re-parsed.
    os.utime(pkg / "m1.py", ns=(1, 1))
    touched = analyze(pkg, options)
    assert touched.stats.parsed == 0
    (pkg / "m2.py").write_text("def f2():\n    return 2\n")
    changed = analyze(pkg, options)
    assert changed.stats.parsed == 1
    assert "gen.m2:f2" in changed.graph
    assert not changed.graph.edges_between("gen.m2:f2", "gen.m1:f1")
    assert _json(pkg, options) == _json(pkg, AnalysisOptions(use_cache=False, jobs=1))


def test_default_cache_lives_next_to_the_analysed_root(tmp_path: Path) -> None:
    pkg = _project(tmp_path, 2)
    analyze(pkg, AnalysisOptions(jobs=1))
    assert list((tmp_path / ".strangler-cache").glob("index-gen-*.pickle"))
    analyze(pkg, AnalysisOptions(jobs=1, use_cache=False, cache_dir=tmp_path / "unused"))
    assert not (tmp_path / "unused").exists()


def test_a_corrupt_cache_is_ignored_and_rewritten(tmp_path: Path) -> None:
    pkg = _project(tmp_path, 2)
    options = AnalysisOptions(cache_dir=tmp_path / "cache", jobs=1)
    analyze(pkg, options)
    cache_files = sorted((tmp_path / "cache").glob("*.pickle"))
    assert {p.name.split("-")[0].rstrip("0123456789") for p in cache_files} == {
        "facts",
        "index",
        "readers",
        "result",
        "state",
    }
    for cache_file in cache_files:
        cache_file.write_bytes(b"not a pickle")
    result = analyze(pkg, options)
    assert result.stats.parsed == 3
    assert analyze(pkg, options).stats.from_cache == 3


def test_lost_facts_are_parsed_again_when_a_file_changes(tmp_path: Path) -> None:
    pkg = _project(tmp_path, 3)
    options = AnalysisOptions(cache_dir=tmp_path / "cache", jobs=1)
    analyze(pkg, options)
    for facts_file in (tmp_path / "cache").glob("facts*-*.pickle"):
        facts_file.write_bytes(b"")
    (pkg / "m0.py").write_text("def f0():\n    return 1\n")
    result = analyze(pkg, options)
    assert result.stats.parsed == 4
    assert "gen.m2:f2" in result.graph


@pytest.mark.slow
def test_parallel_extraction_matches_serial(tmp_path: Path) -> None:
    pkg = _project(tmp_path, PARALLEL_THRESHOLD + 4)
    serial = _json(pkg, AnalysisOptions(use_cache=False, jobs=1))
    parallel = _json(pkg, AnalysisOptions(use_cache=False, jobs=2))
    assert serial == parallel
    assert '"gen.m5:f5"' in serial


def test_an_edit_rewrites_only_the_facts_shard_of_the_edited_file(tmp_path: Path) -> None:
    pkg = _project(tmp_path, 30)
    options = AnalysisOptions(cache_dir=tmp_path / "cache", jobs=1)
    analyze(pkg, options)
    shards = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "cache").glob("facts*.pickle")}
    assert len(shards) == SHARDS
    for path in (tmp_path / "cache").glob("facts*.pickle"):
        os.utime(path, ns=(1, 1))
    (pkg / "m7.py").write_text("def f7():\n    return 7\n")
    result = analyze(pkg, options)
    rewritten = [
        p.name for p in (tmp_path / "cache").glob("facts*.pickle") if p.stat().st_mtime_ns != 1
    ]
    assert rewritten == [f"facts{shard_of('gen/m7.py')}-{rewritten[0].split('-', 1)[1]}"]
    assert result.stats.parsed == 1
    assert "gen.m7:f7" in result.graph
    assert not result.graph.edges_between("gen.m7:f7", "gen.m6:f6")


def test_progress_reports_every_file_up_to_the_total(tmp_path: Path) -> None:
    pkg = _project(tmp_path, 4)
    calls: list[tuple[int, int]] = []
    analyze(
        pkg,
        AnalysisOptions(use_cache=False, jobs=1),
        lambda done, total: calls.append((done, total)),
    )
    assert calls[0] == (0, 5)
    assert calls[-1] == (5, 5)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
