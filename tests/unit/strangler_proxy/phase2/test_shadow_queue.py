"""The shadow queue against real primary and candidate servers on 127.0.0.1."""

import asyncio
import json
import logging
import sqlite3
import threading

import httpx

from strangler_proxy.compare import CompareRules, NoiseModels
from strangler_proxy.diffstore import SqliteDiffStore
from strangler_proxy.shadow_queue import ShadowJob, ShadowQueue
from strangler_proxy.shadow_sender import httpx_sender, make_shadow_client
from strangler_proxy.snapshots import RequestSnapshot, ResponseSnapshot
from tests.support.shadow_servers import json_app, running

TITLES = [{"id": 1, "title": "Dune", "updated_at": "2026-01-01"},
          {"id": 2, "title": "Emma", "updated_at": "2026-01-02"}]
PRIMARY = {
    "/same": {"count": 2, "results": TITLES},
    "/changed": {"count": 2, "results": TITLES},
    "/timestamp": {"count": 2, "results": TITLES},
    "/reordered": {"count": 2, "results": TITLES},
    "/boom": {"ok": True},
    "/slow": {"ok": True},
    "/noisy": lambda n: {"served_at": n, "value": 1},
}
CANDIDATE = {
    "/same": {"count": 2, "results": TITLES},
    "/changed": {"count": 2, "results": [TITLES[0], {**TITLES[1], "title": "EMMA"}]},
    "/timestamp": {"count": 2, "results": [{**t, "updated_at": "2030-01-01"} for t in TITLES]},
    "/reordered": {"count": 2, "results": TITLES[::-1]},
    "/boom": (500, [("content-type", "application/json")], b'{"error": "boom"}'),
    "/noisy": {"served_at": 12345, "value": 1},
}


async def primary_snapshot(client: httpx.AsyncClient, url: str, path: str) -> ResponseSnapshot:
    response = await client.get(url + path)
    return ResponseSnapshot(status=response.status_code,
                            headers=tuple(response.headers.multi_items()),
                            body=response.content, latency_ms=3.0)


def run_jobs(tmp_path, paths, *, rules=None, noise=None, learn=False, timeout=2.0,
             maxsize=64, workers=2, primary_seen=None):
    store = SqliteDiffStore(tmp_path / "state.db")
    with running(json_app(PRIMARY, seen=primary_seen)) as primary_url, \
            running(json_app(CANDIDATE, delays={"/slow": 3.0})) as candidate_url:
        async def scenario():
            async with make_shadow_client(timeout=5) as client:
                queue = ShadowQueue(
                    store=store, workers=workers, maxsize=maxsize, timeout=timeout, noise=noise,
                    send_to_candidate=httpx_sender(client, candidate_url, max_body=100_000),
                    send_to_primary=httpx_sender(client, primary_url, max_body=100_000))
                await queue.start()
                accepted = []
                for path in paths:
                    primary = await primary_snapshot(client, primary_url, path)
                    accepted.append(queue.offer(ShadowJob(
                        route="catalog", request=RequestSnapshot(method="GET", path=path),
                        primary=primary, rules=rules or CompareRules(), learn_noise=learn)))
                await queue.join()
                await queue.stop()
                return queue, accepted

        queue, accepted = asyncio.run(scenario())
    return store, queue, accepted


def test_differences_found_and_noise_ignored(tmp_path):
    rules = CompareRules.build(ignore=["results[*].updated_at"], unordered=["results"])
    store, queue, _ = run_jobs(tmp_path, ["/same", "/changed", "/timestamp", "/reordered"],
                               rules=rules)
    (summary,) = store.summary("catalog")
    assert (summary.compared, summary.matched, summary.mismatched) == (4, 3, 1)
    assert summary.top_paths == (("results[*].title", 1),)
    (example,) = store.examples("catalog")
    assert example.target == "/changed"
    assert example.data["differences"][0]["candidate"] == '"EMMA"'
    assert queue.completed == 4 and queue.dropped == 0


def test_without_rules_timestamps_and_order_are_differences(tmp_path):
    store, _, _ = run_jobs(tmp_path, ["/timestamp", "/reordered"])
    (summary,) = store.summary("catalog")
    assert summary.mismatched == 2
    assert dict(summary.top_paths)["results[*].updated_at"] == 2


def test_candidate_5xx_and_timeout_are_candidate_errors(tmp_path):
    store, _, _ = run_jobs(tmp_path, ["/boom", "/slow", "/same"], timeout=1.0)
    (summary,) = store.summary("catalog")
    assert summary.candidate_requests == 3 and summary.candidate_errors == 2
    assert summary.compared == 2  # the timed-out copy has nothing to compare
    assert ("status", 1) in summary.top_paths


def test_full_queue_drops_and_counts_without_waiting(tmp_path):
    # a queue whose workers never started: offers beyond its size return at once, counted
    store2 = SqliteDiffStore(tmp_path / "other.db")

    async def overload():
        async def never(request):
            raise AssertionError("not reached")

        q = ShadowQueue(store=store2, send_to_candidate=never, maxsize=2, workers=1)
        job = ShadowJob(route="r", request=RequestSnapshot(method="GET", path="/"),
                        primary=ResponseSnapshot(status=200), rules=CompareRules())
        results = [q.offer(job) for _ in range(5)]
        q.count_too_large("r")
        await q.stop(drain_timeout=0.01)  # jobs never run: the workers were never started
        return results, q

    results, q = asyncio.run(overload())
    assert results == [True, True, False, False, False] and q.dropped == 3
    (summary,) = store2.summary("r")
    assert (summary.dropped_overload, summary.dropped_too_large) == (3, 1)


def test_noise_learning_from_a_second_primary_answer(tmp_path):
    seen = []
    noise = NoiseModels()
    store, _, _ = run_jobs(tmp_path, ["/noisy", "/noisy"], noise=noise, learn=True, workers=1,
                           primary_seen=seen)
    (summary,) = store.summary("catalog")
    assert summary.compared == 2 and summary.matched == 2
    assert noise.for_route("catalog").paths() == {"served_at": 1}
    assert len(seen) == 4  # each job asked the primary once more


def test_truncated_primary_is_counted_not_compared(tmp_path):
    store = SqliteDiffStore(tmp_path / "state.db")
    with running(json_app(CANDIDATE)) as candidate_url:
        async def scenario():
            async with make_shadow_client(timeout=5) as client:
                queue = ShadowQueue(store=store, send_to_candidate=httpx_sender(
                    client, candidate_url, max_body=1000))
                await queue.start()
                queue.offer(ShadowJob(route="r", request=RequestSnapshot(method="GET",
                                                                         path="/same"),
                                      primary=ResponseSnapshot(status=200, truncated=True),
                                      rules=CompareRules()))
                await queue.join()
                await queue.stop()

        asyncio.run(scenario())
    (summary,) = store.summary("r")
    assert summary.compared == 0 and summary.dropped_too_large == 1


class FailsOnce:
    """A diff store whose first comparison write and first drop write fail, as a PostgreSQL
    restart would make them."""

    def __init__(self, inner: SqliteDiffStore) -> None:
        self.inner = inner
        self.failed: list[str] = []
        self.threads: set[int] = set()  # every write must run off the event loop's thread

    def _fail_first(self, what: str) -> None:
        self.threads.add(threading.get_ident())
        if what not in self.failed:
            self.failed.append(what)
            raise sqlite3.OperationalError("server closed the connection unexpectedly")

    def record_comparison(self, *args, **kwargs):
        self._fail_first("comparison")
        return self.inner.record_comparison(*args, **kwargs)

    def record_candidate_error(self, *args, **kwargs):
        self.threads.add(threading.get_ident())
        return self.inner.record_candidate_error(*args, **kwargs)

    def record_drops(self, *args, **kwargs):
        self._fail_first("drops")
        return self.inner.record_drops(*args, **kwargs)


def test_workers_survive_a_store_that_fails_once(tmp_path, caplog):
    store = FailsOnce(SqliteDiffStore(tmp_path / "state.db"))
    reported = []
    with running(json_app(CANDIDATE)) as candidate_url:
        async def scenario():
            async with make_shadow_client(timeout=5) as client:
                queue = ShadowQueue(store=store, workers=1, maxsize=1,
                                    send_to_candidate=httpx_sender(client, candidate_url,
                                                                   max_body=100_000))
                queue.store_errors.on_error = lambda what, n: reported.append((what, n))
                await queue.start()

                def job():
                    return ShadowJob(route="catalog",
                                     request=RequestSnapshot(method="GET", path="/same"),
                                     primary=ResponseSnapshot(
                                         status=200, headers=(("content-type",
                                                               "application/json"),),
                                         body=json.dumps(CANDIDATE["/same"]).encode()),
                                     rules=CompareRules())

                # one queued, two dropped; the first writes of both kinds fail
                assert [queue.offer(job()) for _ in range(3)] == [True, False, False]
                await asyncio.wait_for(queue.join(), 10)
                assert store.failed == ["comparison", "drops"]
                # the only worker is still alive: later jobs are compared and recorded
                for _ in range(2):
                    assert queue.offer(job())
                    await asyncio.wait_for(queue.join(), 10)
                await queue.stop()
                return queue

        with caplog.at_level(logging.ERROR, logger="strangler_proxy.shadow_queue"):
            queue = asyncio.run(scenario())
    (summary,) = store.inner.summary("catalog")
    assert queue.completed == 3
    assert summary.compared == 2 and summary.matched == 2  # the failed write is lost, counted
    assert summary.dropped_overload == 2  # the drop counts were kept and written later
    assert store.threads and threading.main_thread().ident not in store.threads
    assert queue.store_errors.count == 2 and reported == [("shadow", 1), ("shadow", 1)]
    # rate-limited: the first failure is logged, the second (moments later) is not
    assert [r.getMessage() for r in caplog.records] == [
        "writing shadow results failed; will keep trying"]
