"""The stage store's behaviour, the same on SQLite and PostgreSQL (see conftest ``backend``)."""

import asyncio
import sys

import pytest

from strangler_proxy.stage_store import StagePoller
from strangler_proxy.stages import Stage, StageSetting


def test_set_stage_persists_audits_and_bumps_the_version(backend):
    clock = iter(range(1000, 2000)).__next__
    store = backend.stages(clock=lambda: float(clock()))
    assert store.version() == 0 and store.current_overrides() == {}
    first = store.set_stage("catalog", "canary", 10, actor="ann", reason="first canary",
                            base=StageSetting(Stage.SHADOW))
    assert first.applied and first.version == 1
    assert first.before == StageSetting(Stage.SHADOW) and first.after.percent == 10
    second = store.set_stage("catalog", "monolith", actor="bob", reason="5xx spike")
    assert second.before == StageSetting(Stage.CANARY, 10)
    store.set_stage("orders", "service", actor="cy", reason="done", reverse_shadow=True)
    assert store.version() == 3
    assert store.current_overrides() == {
        "catalog": StageSetting(Stage.MONOLITH, 0),
        "orders": StageSetting(Stage.SERVICE, 100, reverse_shadow=True)}
    audit = store.audit("catalog")
    assert [(a.actor, a.reason, str(a.before), str(a.after)) for a in audit] == [
        ("bob", "5xx spike", "canary 10%", "monolith"),
        ("ann", "first canary", "shadow", "canary 10%")]
    assert audit[0].at > audit[1].at and audit[0].id > audit[1].id
    assert [a.route for a in store.audit()] == ["orders", "catalog", "catalog"]
    assert [a.route for a in store.audit(limit=1)] == ["orders"]
    assert store.audit("orders")[0].before is None  # no base given, no override before
    store.close()
    reopened = backend.stages()  # a restart keeps everything
    assert reopened.current_overrides()["catalog"].stage is Stage.MONOLITH
    assert len(reopened.audit()) == 3 and reopened.version() == 3


def test_invalid_stage_writes_nothing(backend):
    store = backend.stages()
    store.set_stage("r", "shadow", actor="a", reason="x")
    with pytest.raises(ValueError, match="percent"):
        store.set_stage("r", "canary", 150, actor="a", reason="x")
    with pytest.raises(ValueError, match="stage must be one of"):
        store.set_stage("r", "live", actor="a", reason="x")
    assert store.version() == 1 and len(store.audit()) == 1
    assert store.current_overrides()["r"] == StageSetting(Stage.SHADOW)


def test_expect_version_refuses_a_lost_update(backend):
    store = backend.stages()
    seen = store.version()
    store.set_stage("r", "shadow", actor="a", reason="someone else first")
    late = store.set_stage("r", "canary", 10, actor="b", reason="promote",
                           expect_version=seen)
    assert not late.applied and late.version == 1
    assert store.current_overrides()["r"].stage is Stage.SHADOW and store.version() == 1
    on_time = store.set_stage("r", "canary", 10, actor="b", reason="promote",
                              expect_version=1)
    assert on_time.applied and on_time.version == 2


def test_poller_reloads_only_when_the_version_moves(backend):
    store = backend.stages()
    poller = StagePoller(store)
    assert poller.poll() == {}
    assert poller.poll() is None
    backend.stages().set_stage("r", "service", actor="a", reason="cut over")  # another opener
    assert poller.poll() == {"r": StageSetting(Stage.SERVICE, 100)}
    assert poller.poll() is None


def test_a_change_from_another_process_reaches_a_polling_worker(backend):
    worker_store = backend.stages()
    applied: list[dict] = []

    async def scenario() -> None:
        changed = asyncio.Event()

        def apply(overrides):
            applied.append(overrides)
            if "catalog" in overrides:
                changed.set()

        task = asyncio.create_task(StagePoller(worker_store).run(apply, interval=0.05))
        script = ("import sys; from strangler_proxy.state_factory import open_state; "
                  "open_state(sys.argv[1]).stages.set_stage('catalog', 'monolith', "
                  "actor='cli', reason='rollback')")
        proc = await asyncio.create_subprocess_exec(sys.executable, "-c", script, backend.url)
        assert await proc.wait() == 0
        await asyncio.wait_for(changed.wait(), 10)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())
    assert applied[0] == {}
    assert applied[-1] == {"catalog": StageSetting(Stage.MONOLITH, 0)}


def test_both_stores_share_one_location(backend):
    backend.diffs().record_drops("r", overload=1)
    backend.stages().set_stage("r", "shadow", actor="a", reason="x")
    state = backend.open()
    assert state.diffs.summary("r")[0].dropped_overload == 1
    assert state.stages.current_overrides() == {"r": StageSetting(Stage.SHADOW)}
