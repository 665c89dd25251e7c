"""The shadow queue against real primary and candidate servers on 127.0.0.1."""

import asyncio
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


class FailsFirst:
    """A diff store whose first ``failures`` batch writes fail, as a PostgreSQL restart
    makes them; it notes every batch it is given."""

    def __init__(self, inner: SqliteDiffStore, failures: int) -> None:
        self.inner = inner
        self.failures_left = failures
        self.threads: set[int] = set()  # every write must run off the event loop's thread
        self.examples_per_route: list[int] = []  # the most examples of a route in a batch

    def new_batch(self):
        return self.inner.new_batch()

    def record_batch(self, batch):
        self.threads.add(threading.get_ident())
        self.examples_per_route.append(max(len(part.examples) for _, part in batch.routes()))
        if self.failures_left:
            self.failures_left -= 1
            raise sqlite3.OperationalError("server closed the connection unexpectedly")
        self.inner.record_batch(batch)


def test_a_store_down_for_several_writes_gets_every_count_once(tmp_path, caplog):
    failures, rounds = 5, 6
    store = FailsFirst(SqliteDiffStore(tmp_path / "state.db", max_examples=3), failures)
    reported = []
    with running(json_app(PRIMARY)) as primary_url, \
            running(json_app(CANDIDATE)) as candidate_url:
        async def scenario():
            async with make_shadow_client(timeout=5) as client:
                queue = ShadowQueue(store=store, workers=1, maxsize=4,
                                    send_to_candidate=httpx_sender(client, candidate_url,
                                                                   max_body=100_000))
                queue.store_errors.on_error = lambda what, n: reported.append((what, n))
                await queue.start()
                same = await primary_snapshot(client, primary_url, "/same")
                changed = await primary_snapshot(client, primary_url, "/changed")

                def job(path, primary):
                    return ShadowJob(route="catalog",
                                     request=RequestSnapshot(method="GET", path=path),
                                     primary=primary, rules=CompareRules())

                for _ in range(rounds):
                    # four queued (two of them differ), two dropped, one too large
                    offered = [queue.offer(job("/changed", changed)) for _ in range(2)]
                    offered += [queue.offer(job("/same", same)) for _ in range(4)]
                    assert offered == [True] * 4 + [False] * 2
                    queue.count_too_large("catalog")
                    await asyncio.wait_for(queue.join(), 10)  # a write, failed or not
                while store.failures_left:  # the writer may have taken some failures too
                    await asyncio.wait_for(queue.join(), 10)
                await queue.join()
                await queue.stop()
                return queue

        with caplog.at_level(logging.ERROR, logger="strangler_proxy.shadow_queue"):
            queue = asyncio.run(scenario())
    (summary,) = store.inner.summary("catalog")
    assert queue.completed == 4 * rounds
    # every count of every round, once: none lost to the failures, none written twice
    assert (summary.compared, summary.matched, summary.mismatched) == (24, 12, 12)
    assert (summary.dropped_overload, summary.dropped_too_large) == (12, 6)
    assert summary.candidate_requests == 24
    assert summary.top_paths == (("results[*].title", 12),)
    # bounded while the store was down: a retried batch never held more than the cap
    assert max(store.examples_per_route) == 3
    assert [e.target for e in store.inner.examples("catalog")] == ["/changed"] * 3
    assert store.threads and threading.main_thread().ident not in store.threads
    assert queue.store_errors.count == failures and reported == [("shadow", 1)] * failures
    # rate-limited: the first failure is logged, the next ones (moments later) are not
    assert [r.getMessage() for r in caplog.records] == [
        "writing shadow results failed; will keep trying"]
