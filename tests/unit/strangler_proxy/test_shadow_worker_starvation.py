"""A starved shadow worker's timeouts and latencies are not held against the candidate.

CPU starvation cannot be arranged reliably on a shared test machine, so the run-queue wait
is the one thing faked here (``cpu_wait``); the candidate is a real, slow server.
"""

import asyncio
import dataclasses
import json
import os
import threading
import time
from collections.abc import Callable, Iterator

from strangler_proxy.compare import CompareRules
from strangler_proxy.diffstore import SqliteDiffStore
from strangler_proxy.shadow_queue import ShadowJob, ShadowQueue
from strangler_proxy.shadow_sender import httpx_sender, make_shadow_client
from strangler_proxy.shadow_starvation import corrected_latency, runqueue_wait_ms, starved
from strangler_proxy.snapshots import RequestSnapshot, ResponseSnapshot
from tests.support.shadow_servers import json_app, running

ANSWER = {"ok": True}


def waits(step_ms: float) -> Callable[[], float]:
    """A run-queue clock that grows by ``step_ms`` at each reading."""
    readings: Iterator[int] = iter(range(10_000))
    return lambda: next(readings) * step_ms


def run(tmp_path, path, cpu_wait, timeout=0.5, timed=True):
    """One job through a real queue; ``timed=False``: a sender that measures no latency."""
    tmp_path.mkdir(exist_ok=True)
    store = SqliteDiffStore(tmp_path / "state.db")
    with running(json_app({"/fast": ANSWER, "/slow": ANSWER},
                          delays={"/slow": 2.0})) as url:
        async def scenario():
            async with make_shadow_client(timeout=5) as client:
                send = httpx_sender(client, url, max_body=10_000)

                async def untimed(request: RequestSnapshot) -> ResponseSnapshot:
                    return dataclasses.replace(await send(request), latency_ms=None)

                queue = ShadowQueue(store=store, timeout=timeout, cpu_wait=cpu_wait,
                                    send_to_candidate=send if timed else untimed)
                await queue.start()
                queue.offer(ShadowJob(
                    route="r", request=RequestSnapshot(method="GET", path=path),
                    primary=ResponseSnapshot(status=200, body=json.dumps(ANSWER).encode(),
                                             headers=(("content-type", "application/json"),),
                                             latency_ms=2.0),
                    rules=CompareRules()))
                await queue.join()
                await queue.stop()

        asyncio.run(scenario())
    (summary,) = store.summary("r")
    store.close()
    return summary


def test_a_timeout_while_starved_is_an_overload_drop_not_a_candidate_error(tmp_path):
    summary = run(tmp_path, "/slow", waits(10_000.0))  # waited far longer than it ran
    assert summary.candidate_errors == 0 and summary.dropped_overload == 1


def test_a_timeout_with_the_cpu_available_is_a_candidate_error(tmp_path):
    summary = run(tmp_path, "/slow", waits(0.0))
    assert summary.candidate_errors == 1 and summary.dropped_overload == 0


def test_a_latency_measured_while_starved_is_left_out_but_the_answer_compared(tmp_path):
    starved_run = run(tmp_path / "a", "/fast", waits(10_000.0))
    assert starved_run.compared == starved_run.matched == 1
    assert starved_run.candidate_p99_ms is None and starved_run.primary_p99_ms is not None
    normal = run(tmp_path / "b", "/fast", waits(0.0))
    assert normal.candidate_p99_ms is not None


def test_a_short_wait_is_taken_off_the_latency_not_the_sample_dropped(tmp_path):
    """A busy machine's ordinary waits (a few ms) still give the p99 gate its figures."""
    busy = run(tmp_path / "busy", "/fast", waits(3.0))
    assert busy.compared == 1 and busy.candidate_p99_ms is not None


def test_a_sender_without_a_latency_still_has_its_answer_compared(tmp_path):
    # ``ResponseSnapshot.latency_ms`` is optional: it used to reach arithmetic and fail the job.
    untimed = run(tmp_path, "/fast", waits(3.0), timed=False)
    assert untimed.compared == untimed.matched == 1
    assert untimed.candidate_p99_ms is None and untimed.primary_p99_ms is not None


def test_corrected_latency_rules():
    assert corrected_latency(10.0, 100.0, 103.0) == 7.0  # 3 ms in the run queue taken off
    assert corrected_latency(10.0, None, 103.0) == 10.0  # unknown: as measured
    assert corrected_latency(30.0, 0.0, 25.0) is None  # long, and most of the sample
    assert corrected_latency(200.0, 0.0, 25.0) == 175.0  # long, but a small share of it
    assert corrected_latency(None, 100.0, 103.0) is None  # not measured: nothing to correct


def test_the_run_queue_clock_reads_this_thread():
    first = runqueue_wait_ms()
    assert first is not None and first >= 0  # Linux: /proc/thread-self/schedstat
    assert not starved(first, first, 10.0) and starved(0.0, 5.0, 10.0)
    assert not starved(None, 5.0, 10.0)


def test_each_thread_reads_its_own_schedstat_through_one_kept_descriptor():
    from strangler_proxy import shadow_starvation

    seen: dict[str, object] = {}

    def in_a_thread() -> None:
        assert runqueue_wait_ms() is not None
        kept = shadow_starvation._local.file
        seen["target"] = os.readlink(f"/proc/self/fd/{kept.fd}")
        seen["tid"] = threading.get_native_id()
        # a kept /proc seq file regenerates when read again at offset 0: the timeslice
        # count (third field) moves after the thread sleeps and wakes again
        before = int(os.pread(kept.fd, 64, 0).split()[2])
        for _ in range(3):
            time.sleep(0.005)
        seen["slices"] = int(os.pread(kept.fd, 64, 0).split()[2]) - before
        runqueue_wait_ms()
        seen["same"] = shadow_starvation._local.file is kept

    worker = threading.Thread(target=in_a_thread)
    worker.start()
    worker.join()
    assert seen["target"] == f"/proc/{os.getpid()}/task/{seen['tid']}/schedstat"
    assert seen["slices"] >= 3 and seen["same"] is True
