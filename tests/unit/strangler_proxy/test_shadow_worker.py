"""The shadow worker process: jobs handed over by ``Shadower.submit``, compared elsewhere.

Real primary and candidate servers on 127.0.0.1, a real SQLite store, a real worker
process; crashes are real signals.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from strangler_proxy.diffstore import DiffStore
from strangler_proxy.routes import RouteTable
from strangler_proxy.routes_file import load_table
from strangler_proxy.shadowing import Shadower, StoreLocation
from strangler_proxy.state import open_stores
from tests.support.shadow_servers import json_app, running
from tests.unit.strangler_proxy.harness import write_routes

ROOT = Path(__file__).resolve().parents[3]
SAME = {"count": 1, "results": [{"id": 1, "title": "Dune"}]}
ANSWERS = {"/api/same": SAME, "/api/changed": SAME}
CANDIDATE = {"/api/same": SAME,
             "/api/changed": {"count": 1, "results": [{"id": 1, "title": "DUNE"}]}}
ROUTES = """
[[routes]]
name = "catalog"
path = "/api/"
upstream = "service"
stage = "shadow"
"""
JSON = [(b"content-type", b"application/json")]


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, str]]:
    with running(json_app(ANSWERS)) as monolith, running(json_app(CANDIDATE)) as service:
        yield {"monolith": monolith, "service": service}


@pytest.fixture
def table(tmp_path: Path, servers: dict[str, str]) -> RouteTable:
    return load_table(write_routes(tmp_path / "routes.toml", servers, ROUTES))


def summary(table: RouteTable) -> Any:
    stores = open_stores(table)
    try:
        found = stores.diffs.summary("catalog")
        return found[0] if found else None
    finally:
        stores.close()


def submit(shadower: Shadower, table: RouteTable, path: str, *, body: bytes = b"",
           response: bytes | None = None) -> bool:
    decision = table.decide("GET", "127.0.0.1", path, {}, "")
    assert decision.shadow == "service"
    answer = json.dumps(ANSWERS.get(path, SAME)).encode() if response is None else response
    return shadower.submit(table, decision, method="GET", path=path, query=b"",
                           request_headers=[(b"accept", b"application/json")],
                           request_body=body, status=200, response_headers=JSON,
                           response_body=answer, latency_ms=1.5)


async def until(check: Callable[[], Any], what: str, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)
    return value


def compared(table: RouteTable, count: int) -> Callable[[], Any]:
    def check() -> Any:
        found = summary(table)
        return found if found and found.compared + found.candidate_errors >= count else None
    return check


def gone(pid: int) -> bool:
    """The process has exited (a zombie waiting for a reaper counts as exited)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status


@pytest.fixture
def diffs(table: RouteTable) -> Iterator[DiffStore]:
    """The proxy's own handle on the store (the worker opens its own)."""
    stores = open_stores(table)
    yield stores.diffs
    stores.close()


def make(table: RouteTable, diffs: DiffStore, **options: Any) -> Shadower:
    assert not table.state_store  # the default store, next to the routes file
    return Shadower(diffs, table.state, location=StoreLocation.of(table), **options)


def test_jobs_are_compared_in_a_separate_process_that_stop_removes(
        table: RouteTable, diffs: DiffStore) -> None:
    async def scenario() -> tuple[Shadower, int]:
        shadower = make(table, diffs)
        await shadower.start()
        assert submit(shadower, table, "/api/same")
        assert submit(shadower, table, "/api/changed")
        # a primary body over max_body_bytes (1 MiB by default) is counted, not handed over
        assert not submit(shadower, table, "/api/same", response=b"x" * 1_100_000)
        await until(compared(table, 2), "two comparisons")
        pid = shadower.stats()["worker_pid"]
        assert isinstance(pid, int) and pid != os.getpid()
        assert f"PPid:\t{os.getpid()}\n" in Path(f"/proc/{pid}/status").read_text()
        await shadower.stop()
        return shadower, pid

    shadower, pid = asyncio.run(scenario())
    assert gone(pid)
    found = summary(table)
    assert (found.compared, found.matched, found.dropped_too_large) == (2, 1, 1)
    assert found.top_paths == (("results[*].title", 1),)
    assert shadower.mode == "process" and shadower.figures["completed"] == 2


def test_stop_drains_the_jobs_already_handed_over(table: RouteTable, diffs: DiffStore) -> None:
    async def scenario() -> int:
        shadower = make(table, diffs)
        await shadower.start()
        taken = sum(submit(shadower, table, "/api/same") for _ in range(20))
        await shadower.stop()  # at once: the worker may still be starting
        return taken

    assert asyncio.run(scenario()) == 20
    assert summary(table).compared == 20


def test_a_killed_worker_is_restarted_and_shadowing_goes_on(
        table: RouteTable, diffs: DiffStore) -> None:
    async def scenario() -> tuple[int, int, Shadower]:
        shadower = make(table, diffs)
        await shadower.start()
        submit(shadower, table, "/api/same")
        await until(compared(table, 1), "the first comparison")
        first = shadower.stats()["worker_pid"]
        assert isinstance(first, int)
        os.kill(first, signal.SIGKILL)
        second = await until(lambda: shadower.stats()["worker_pid"] not in (None, first)
                             and shadower.stats()["worker_pid"], "a new worker")
        assert submit(shadower, table, "/api/changed")
        await until(compared(table, 2), "a comparison by the new worker")
        await shadower.stop()
        return first, second, shadower

    first, second, shadower = asyncio.run(scenario())
    assert gone(first) and gone(second)
    assert shadower.stats()["restarts"] == 1 and shadower.mode == "process"


def test_a_worker_that_keeps_dying_switches_shadowing_off(
        table: RouteTable, diffs: DiffStore, caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> tuple[Shadower, bool]:
        shadower = make(table, diffs, max_restarts=1)
        await shadower.start()
        submit(shadower, table, "/api/same")
        for _ in range(2):
            pid = await until(lambda: shadower.stats()["worker_pid"], "a running worker")
            os.kill(pid, signal.SIGKILL)
            await until(lambda: shadower.stats()["worker_pid"] != pid, "the crash noticed")
        await until(lambda: shadower.mode == "off", "shadowing off")
        taken = submit(shadower, table, "/api/same")
        await shadower.stop()
        return shadower, taken

    shadower, taken = asyncio.run(scenario())
    assert not taken and shadower.refused >= 1
    assert "exited 2 times" in str(shadower.stats()["reason"])
    assert any("shadowing is off" in r.getMessage() for r in caplog.records)


def test_a_store_the_worker_cannot_open_switches_shadowing_off(
        table: RouteTable, diffs: DiffStore) -> None:
    async def scenario() -> Shadower:
        location = StoreLocation("sqlite:///no/such/folder/state.db",
                                 str(Path(table.source).parent), {})
        shadower = Shadower(diffs, table.state, location=location)
        await shadower.start()
        submit(shadower, table, "/api/same")
        await until(lambda: shadower.mode == "off", "shadowing off")
        await shadower.stop()
        return shadower

    shadower = asyncio.run(scenario())
    assert "cannot open the [state] store" in str(shadower.stats()["reason"])
    assert shadower.stats()["restarts"] == 0  # it would fail the same way again


def test_a_full_channel_refuses_at_once_and_the_drops_are_counted(
        table: RouteTable, diffs: DiffStore) -> None:
    big = b"b" * 400_000  # a request body each: a stopped worker's channel fills quickly

    async def scenario() -> tuple[int, int]:
        shadower = make(table, diffs)
        await shadower.start()
        submit(shadower, table, "/api/same")
        await until(compared(table, 1), "the worker up")
        pid = shadower.stats()["worker_pid"]
        assert isinstance(pid, int)
        os.kill(pid, signal.SIGSTOP)  # alive but reading nothing
        try:
            results = [submit(shadower, table, "/api/same", body=big) for _ in range(60)]
        finally:
            os.kill(pid, signal.SIGCONT)
        assert results[0] and not results[-1]
        # resumed, the worker compares every job it was handed: none was lost
        await until(compared(table, sum(results) + 1), "the queued jobs", timeout=60)
        await shadower.stop()
        return sum(results), shadower.refused

    taken, refused = asyncio.run(scenario())
    assert refused == 60 - taken
    found = summary(table)
    assert found.dropped_overload == refused
    assert found.compared + found.candidate_errors == taken + 1


def test_inline_mode_without_a_store_location(table: RouteTable, diffs: DiffStore) -> None:
    async def scenario() -> Shadower:
        shadower = Shadower(diffs, table.state)
        await shadower.start()
        assert submit(shadower, table, "/api/changed")
        await until(compared(table, 1), "the inline comparison")
        await shadower.stop()
        return shadower

    shadower = asyncio.run(scenario())
    assert shadower.mode == "inline" and shadower.stats()["worker_pid"] is None
    assert summary(table).mismatched == 1


ORPHAN_SCRIPT = """
import asyncio, sys
from strangler_proxy.routes_file import load_table
from strangler_proxy.shadowing import Shadower, StoreLocation
from strangler_proxy.state import open_stores
from tests.unit.strangler_proxy.test_shadow_worker import submit

async def main():
    table = load_table(sys.argv[1])
    shadower = Shadower(open_stores(table).diffs, table.state,
                        location=StoreLocation.of(table))
    await shadower.start()
    submit(shadower, table, "/api/same")
    while shadower.stats()["worker_pid"] is None:
        await asyncio.sleep(0.01)
    print(shadower.stats()["worker_pid"], flush=True)
    await asyncio.sleep(60)

asyncio.run(main())
"""


def test_the_worker_does_not_outlive_a_killed_proxy(table: RouteTable) -> None:
    with subprocess.Popen([sys.executable, "-c", ORPHAN_SCRIPT, str(table.source)], cwd=ROOT,
                          stdout=subprocess.PIPE, text=True) as proxy:
        try:
            assert proxy.stdout is not None
            pid = int(proxy.stdout.readline())
            assert not gone(pid)
        finally:
            proxy.kill()  # SIGKILL: no shutdown code runs in the proxy
    deadline = time.monotonic() + 15
    while not gone(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert gone(pid)

