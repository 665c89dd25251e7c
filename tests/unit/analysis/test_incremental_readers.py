"""The stored lookups (``readers``) in shards: an edit reads the shards its walk reaches,
and a lost shard means a full resolution, never missed dependents."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis import AnalysisOptions, analyze, incremental
from analysis.render import render_json
from analysis.report import build_report
from analysis.resolve.state import READER_SHARDS, ShardedReaders, reader_shard, split_readers
from tests.unit.analysis.helpers import FIXTURES

SERVICES = "orders/services.py"


def _readers() -> dict[tuple[str, str], set[object]]:
    return {
        (f"pkg.m{index}", f"name{index % 3}"): {f"pkg.user{index}", (f"pkg.s{index}", "x")}
        for index in range(60)
    }


def test_a_shard_is_read_when_a_name_in_it_is_first_asked_about() -> None:
    readers = _readers()
    shards = split_readers(readers)
    assert len(shards) == READER_SHARDS and sum(map(len, shards)) == len(readers)
    loaded: list[int] = []

    def load(shard: int) -> dict[tuple[str, str], set[object]]:
        loaded.append(shard)
        return shards[shard]

    lazy = ShardedReaders(load)  # type: ignore[arg-type]
    assert lazy.get(("pkg.m7", "name1")) == readers[("pkg.m7", "name1")]
    assert lazy.get(("pkg.m7", "unknown"), ()) == ()
    assert lazy.keys_of("pkg.m7") == [("pkg.m7", "name1")]
    assert loaded == [reader_shard("pkg.m7")]  # one shard, read once
    lazy.setdefault(("pkg.m7", "new"), set()).add("pkg.late")
    assert lazy.whole() == {**readers, ("pkg.m7", "new"): {"pkg.late"}}
    assert sorted(loaded) == list(range(READER_SHARDS))


def _json(shop: Path, options: AnalysisOptions) -> str:
    return render_json(build_report(analyze(shop, options), "symbol").contract)


@pytest.mark.parametrize("damage", ["deleted", "corrupt"])
def test_a_lost_readers_shard_means_a_full_resolution(tmp_path: Path, damage: str) -> None:
    shop = tmp_path / "shop"
    shutil.copytree(FIXTURES / "shop", shop)
    cached = AnalysisOptions(cache_dir=tmp_path / "cache", jobs=1)
    analyze(shop, cached)
    shards = sorted((tmp_path / "cache").glob("readers*.pickle"))
    assert len(shards) == READER_SHARDS
    for shard in shards:
        if damage == "deleted":
            shard.unlink()
        else:
            shard.write_bytes(b"not a pickle")
    services = shop / SERVICES
    services.write_text("import json\n" + services.read_text())
    result = analyze(shop, cached)
    modules = len(list(shop.rglob("*.py")))
    assert result.stats.resolved == modules  # not the one edited module
    assert _json(shop, cached) == _json(shop, AnalysisOptions(use_cache=False, jobs=1))


def test_an_edit_reads_only_the_readers_shards_its_walk_reaches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = tmp_path / "shop"
    shutil.copytree(FIXTURES / "shop", shop)
    cached = AnalysisOptions(cache_dir=tmp_path / "cache", jobs=1)
    analyze(shop, cached)
    read: list[int] = []
    stored_state = incremental.stored_state

    def counting(cache, key):  # type: ignore[no-untyped-def]
        state = stored_state(cache, key)
        load = state.readers._load
        state.readers._load = lambda shard: read.append(shard) or load(shard)
        return state

    monkeypatch.setattr(incremental, "stored_state", counting)
    services = shop / SERVICES
    services.write_text("import json\n" + services.read_text())
    result = analyze(shop, cached)
    assert result.stats.resolved == 1  # incremental
    assert read == [reader_shard("shop.orders.services")]
    assert _json(shop, cached) == _json(shop, AnalysisOptions(use_cache=False, jobs=1))
