"""Extraction across processes gives what extraction in-process gives, skips included."""

from __future__ import annotations

from pathlib import Path

from analysis.discover import SourceFile, discover
from analysis.extract.packed import unpack
from analysis.parallel import (
    PARALLEL_THRESHOLD,
    _chunks,
    _extract,
    _extract_chunk,
    _unpack_chunk,
    extract_all,
)


def _files(root: Path, count: int) -> list[SourceFile]:
    pkg = root / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    for index in range(count):
        body = f"from pkg.m{index - 1} import f{index - 1}\n" if index else ""
        body += f"\n\ndef f{index}():\n    return Title.objects.filter(n={index}).first()\n"
        (pkg / f"m{index}.py").write_text(body * (1 + index % 5))  # sizes differ
    (pkg / "broken.py").write_text("def broken(:\n")
    return list(discover(pkg).files)


def test_a_chunk_crosses_over_as_it_was_extracted(tmp_path: Path) -> None:
    items = _files(tmp_path, 6)
    gone = SourceFile(str(tmp_path / "gone.py"), "pkg/gone.py", "pkg.gone", False)
    items.append(gone)
    assert _unpack_chunk(_extract_chunk(items)) == [_extract(item) for item in items]
    reasons = {rel: entry.reason for rel, entry, _ in _unpack_chunk(_extract_chunk(items))}
    assert reasons["pkg/broken.py"].startswith("syntax error at line 1")
    assert reasons["pkg/gone.py"] == "unreadable: No such file or directory"


def test_chunks_hold_every_file_once_biggest_spread_first(tmp_path: Path) -> None:
    items = _files(tmp_path, 20)
    chunks = _chunks(items, 4)
    assert sorted(item.rel for chunk in chunks for item in chunk) == sorted(
        item.rel for item in items
    )
    sizes = [sum(Path(item.path).stat().st_size for item in chunk) for chunk in chunks]
    assert max(sizes) - min(sizes) <= max(Path(item.path).stat().st_size for item in items)


def test_a_pool_of_two_extracts_what_one_process_does(tmp_path: Path) -> None:
    items = _files(tmp_path, PARALLEL_THRESHOLD + 2)
    seen: list[int] = []
    parallel = extract_all(items, 2, lambda done, total: seen.append(done), 0, len(items))
    serial = extract_all(items, 1, None, 0, len(items))
    assert sorted(parallel, key=lambda row: row[0]) == sorted(serial, key=lambda row: row[0])
    assert seen[-1] == len(items)
    assert sum(1 for _, entry, facts in parallel if facts is None and entry.reason) == 1


def test_without_a_cache_files_are_not_hashed_and_yield_the_same_facts(tmp_path: Path) -> None:
    items = _files(tmp_path, PARALLEL_THRESHOLD + 2)
    hashed = sorted(extract_all(items, 2, None, 0, len(items)), key=lambda row: row[0])
    bare = sorted(extract_all(items, 2, None, 0, len(items), hashed=False), key=lambda r: r[0])
    assert [facts for _, _, facts in bare] == [facts for _, _, facts in hashed]
    assert {entry.digest for _, entry, _ in bare} == {""}
    assert all(len(entry.digest) == 32 for _, entry, _ in hashed if not entry.reason)
    reasons = [(rel, entry.reason) for rel, entry, _ in bare]
    assert reasons == [(rel, entry.reason) for rel, entry, _ in hashed]


def test_packed_facts_are_kept_as_extraction_handed_them_over(tmp_path: Path) -> None:
    items = _files(tmp_path, PARALLEL_THRESHOLD + 2)
    for jobs in (1, 2):
        kept: dict[str, object] = {}
        done = extract_all(items, jobs, None, 0, len(items), keep=kept)
        with_facts = {rel: facts for rel, _, facts in done if facts is not None}
        assert set(kept) == set(with_facts) and "pkg/broken.py" not in kept
        assert all(unpack(kept[rel]) == facts for rel, facts in with_facts.items())
