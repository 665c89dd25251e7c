import asyncio
import subprocess
import sys

import pytest

from strangler_proxy.stage_store import SqliteStageStore, StagePoller
from strangler_proxy.stages import Stage, StageSetting


def test_set_stage_persists_audits_and_bumps_the_version(tmp_path):
    clock = iter(range(1000, 2000)).__next__
    store = SqliteStageStore(tmp_path / "state.db", clock=lambda: float(clock()))
    assert store.version() == 0 and store.current_overrides() == {}
    first = store.set_stage("catalog", "canary", 10, actor="ann", reason="first canary",
                            base=StageSetting(Stage.SHADOW))
    assert first.applied and first.version == 1
    assert first.before == StageSetting(Stage.SHADOW) and first.after.percent == 10
    second = store.set_stage("catalog", "monolith", actor="bob", reason="5xx spike")
    assert second.before == StageSetting(Stage.CANARY, 10)
    assert store.version() == 2
    assert store.current_overrides() == {"catalog": StageSetting(Stage.MONOLITH, 0)}
    audit = store.audit("catalog")
    assert [(a.actor, a.reason, str(a.before), str(a.after)) for a in audit] == [
        ("bob", "5xx spike", "canary 10%", "monolith"),
        ("ann", "first canary", "shadow", "canary 10%")]
    assert audit[0].at > audit[1].at
    store.close()
    reopened = SqliteStageStore(tmp_path / "state.db")  # a restart keeps everything
    assert reopened.current_overrides()["catalog"].stage is Stage.MONOLITH
    assert len(reopened.audit()) == 2


def test_invalid_stage_writes_nothing(tmp_path):
    store = SqliteStageStore(tmp_path / "state.db")
    store.set_stage("r", "shadow", actor="a", reason="x")
    with pytest.raises(ValueError, match="percent"):
        store.set_stage("r", "canary", 150, actor="a", reason="x")
    with pytest.raises(ValueError, match="stage must be one of"):
        store.set_stage("r", "live", actor="a", reason="x")
    assert store.version() == 1 and len(store.audit()) == 1
    assert store.current_overrides()["r"] == StageSetting(Stage.SHADOW)


def test_expect_version_refuses_a_lost_update(tmp_path):
    store = SqliteStageStore(tmp_path / "state.db")
    seen = store.version()
    store.set_stage("r", "shadow", actor="a", reason="someone else first")
    late = store.set_stage("r", "canary", 10, actor="b", reason="promote",
                           expect_version=seen)
    assert not late.applied
    assert store.current_overrides()["r"].stage is Stage.SHADOW and store.version() == 1


def test_poller_reloads_only_when_the_version_moves(tmp_path):
    store = SqliteStageStore(tmp_path / "state.db")
    poller = StagePoller(store)
    assert poller.poll() == {}
    assert poller.poll() is None
    store.set_stage("r", "service", actor="a", reason="cut over")
    assert poller.poll() == {"r": StageSetting(Stage.SERVICE, 100)}
    assert poller.poll() is None


def test_a_change_from_another_process_reaches_a_polling_worker(tmp_path):
    path = tmp_path / "state.db"
    worker_store = SqliteStageStore(path)
    applied: list[dict] = []

    async def scenario() -> None:
        changed = asyncio.Event()

        def apply(overrides):
            applied.append(overrides)
            if "catalog" in overrides:
                changed.set()

        poller = StagePoller(worker_store)
        task = asyncio.create_task(poller.run(apply, interval=0.05))
        script = ("import sys; from strangler_proxy.stage_store import SqliteStageStore; "
                  "SqliteStageStore(sys.argv[1]).set_stage('catalog', 'monolith', "
                  "actor='cli', reason='rollback')")
        proc = await asyncio.create_subprocess_exec(sys.executable, "-c", script, str(path))
        assert await proc.wait() == 0
        await asyncio.wait_for(changed.wait(), 10)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())
    assert applied[0] == {}
    assert applied[-1] == {"catalog": StageSetting(Stage.MONOLITH, 0)}


def test_stage_store_and_diff_store_share_one_file(tmp_path):
    from strangler_proxy.diffstore import SqliteDiffStore

    path = tmp_path / "state.db"
    SqliteDiffStore(path).record_drops("r", overload=1)
    SqliteStageStore(path).set_stage("r", "shadow", actor="a", reason="x")
    assert SqliteDiffStore(path).summary("r")[0].dropped_overload == 1
    script = ("import sqlite3,sys; c=sqlite3.connect(sys.argv[1]);"
              "print(sorted(r[0] for r in c.execute(\"select name from sqlite_master"
              " where type='table'\")))")
    assert subprocess.run([sys.executable, "-c", script, str(path)],
                          capture_output=True, text=True, check=True).stdout.strip() == str(
        sorted(["diff_counters", "diff_examples", "diff_paths", "latency_buckets",
                "route_stages", "stage_audit", "state_version"]))
