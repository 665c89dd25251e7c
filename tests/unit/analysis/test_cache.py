"""The fact cache's shards: packed facts read lazily, only where an edit needs them."""

from __future__ import annotations

from pathlib import Path

from analysis.cache import SHARDS, FactCache, IndexEntry, shard_of
from analysis.extract import extract_source
from analysis.extract.packed import pack, unpack
from analysis.facts import FileFacts


def _facts(count: int) -> dict[str, FileFacts]:
    found = {}
    for index in range(count):
        source = (
            f"import os\nfrom pkg import m{index + 1}\n\n"
            f"class C{index}(m{index + 1}.Base):\n    x = os.sep\n"
        )
        found[f"pkg/m{index}.py"] = extract_source(source.encode(), f"pkg.m{index}")
    return found


def _index(facts: dict[str, FileFacts]) -> dict[str, IndexEntry]:
    return {rel: IndexEntry(1, 1, rel, f.module) for rel, f in facts.items()}


def test_a_few_files_facts_read_back_as_all_of_them_do(tmp_path: Path) -> None:
    facts = _facts(40)
    FactCache(tmp_path / "cache", tmp_path).save(
        _index(facts), {rel: pack(f) for rel, f in facts.items()}, result_key="k"
    )
    everything = FactCache(tmp_path / "cache", tmp_path).load_packed()
    assert {rel: unpack(row) for rel, row in everything.items()} == facts
    wanted = ["pkg/m3.py", "pkg/m17.py", "pkg/missing.py"]
    lazy = FactCache(tmp_path / "cache", tmp_path)
    some = lazy.load_packed(wanted)
    assert {rel: unpack(row) for rel, row in some.items()} == {r: facts[r] for r in wanted[:2]}
    assert set(lazy._shards) == {shard_of(rel) for rel in wanted}  # no other shard read


def test_saving_edited_files_keeps_their_shard_mates(tmp_path: Path) -> None:
    facts = _facts(40)
    cache = FactCache(tmp_path / "cache", tmp_path)
    cache.save(_index(facts), {rel: pack(f) for rel, f in facts.items()}, result_key="k")
    edited = extract_source(b"import sys\n", "pkg.m5")
    FactCache(tmp_path / "cache", tmp_path).save_edited(
        _index(facts), {"pkg/m5.py": pack(edited)}, "k2"
    )
    reread = FactCache(tmp_path / "cache", tmp_path)
    assert reread.load_index()[1] == "k2"
    loaded = {rel: unpack(row) for rel, row in reread.load_packed().items()}
    assert loaded == {**facts, "pkg/m5.py": edited}


def test_a_corrupt_shard_reads_as_empty(tmp_path: Path) -> None:
    facts = _facts(SHARDS * 2)
    cache = FactCache(tmp_path / "cache", tmp_path)
    cache.save(_index(facts), {rel: pack(f) for rel, f in facts.items()})
    broken = shard_of("pkg/m0.py")
    cache._save(f"facts{broken}", b"\x00not marshal")
    reread = FactCache(tmp_path / "cache", tmp_path)
    assert reread.load_packed(["pkg/m0.py"]) == {}
    assert set(reread.load_packed()) == {rel for rel in facts if shard_of(rel) != broken}
