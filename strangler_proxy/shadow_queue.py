"""The off-path half of shadowing: a bounded queue, a few workers, compare, record.

It runs in the shadow worker process (``shadow_worker``), fed by ``shadow_runner``; its
:meth:`ShadowQueue.offer` never waits: when the queue is full the job is dropped and
counted. Workers send the copy to the candidate
with a short timeout, optionally ask the primary a second time to learn noise, compare,
and add the result to the current :class:`~strangler_proxy.diff_batch.DiffBatch`, which sums
it per route. One writer task hands that batch to the store every ``WRITE_INTERVAL_S`` (or
after ``WRITE_BATCH`` new results): one thread hop and one transaction (``record_batch``)
per flush, whatever the number of comparisons, and SQLite never blocks the loop. Workers
never touch the store.
Nothing here raises into the caller: a failing candidate is a counted candidate error, and a
failing store (a PostgreSQL restart) is counted (one per failed write) and logged at a
bounded rate (``store_errors``) while workers and writer carry on. A batch that could not
be written is merged back into the current one, so every count arrives once the store is
back; memory stays bounded (counts add up, examples and paths are capped per route, and an
example whose write failed twice is dropped: see ``DiffBatch.failed``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from strangler_proxy.compare.compare import compare
from strangler_proxy.compare.noise import NoiseModel, NoiseModels
from strangler_proxy.compare.rules import CompareRules
from strangler_proxy.diff_batch import DiffBatch
from strangler_proxy.diffstore import DiffStore
from strangler_proxy.example import ShadowExample, redact_example
from strangler_proxy.redact import RedactRules
from strangler_proxy.shadow_starvation import corrected_latency, runqueue_wait_ms, starved
from strangler_proxy.snapshots import RequestSnapshot, ResponseSnapshot
from strangler_proxy.store_errors import StoreErrors

log = logging.getLogger(__name__)
SendFn = Callable[[RequestSnapshot], Awaitable[ResponseSnapshot]]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DEFAULT_QUEUE_SIZE = 256
DEFAULT_WORKERS = 4
DEFAULT_TIMEOUT_S = 2.0
WRITE_INTERVAL_S = 0.2
WRITE_BATCH = 64


@dataclass(frozen=True, slots=True)
class ShadowJob:
    route: str
    request: RequestSnapshot
    primary: ResponseSnapshot
    rules: CompareRules
    learn_noise: bool = False
    # Per-job targets and limits (the proxy shadows many routes through one queue); the
    # queue's own senders and timeout are used when these are None.
    send_candidate: SendFn | None = None
    send_primary: SendFn | None = None
    timeout: float | None = None
    redact: RedactRules | None = None  # the route's own rules, applied before the store's


class ShadowQueue:
    """Start it in the app's lifespan startup, stop it at shutdown."""

    def __init__(self, *, store: DiffStore, send_to_candidate: SendFn | None = None,
                 send_to_primary: SendFn | None = None, noise: NoiseModels | None = None,
                 maxsize: int = DEFAULT_QUEUE_SIZE, workers: int = DEFAULT_WORKERS,
                 timeout: float = DEFAULT_TIMEOUT_S,
                 cpu_wait: Callable[[], float | None] = runqueue_wait_ms) -> None:
        self._store = store
        self._send_candidate = send_to_candidate
        self._send_primary = send_to_primary
        self._noise = noise
        self._queue: asyncio.Queue[ShadowJob] = asyncio.Queue(maxsize)
        self._workers = workers
        self._timeout = timeout
        self._cpu_wait = cpu_wait  # see shadow_starvation: starved samples are not counted
        self._tasks: list[asyncio.Task[None]] = []
        self._batch: DiffBatch = store.new_batch()
        self._fresh = 0  # results added since the last flush began: WRITE_BATCH wake the writer
        self._flushing = asyncio.Lock()  # one flush at a time: join() waits for the writer's
        self._wake: asyncio.Event | None = None
        self._writer: asyncio.Task[None] | None = None
        self._closing = False
        self.offered = 0
        self.dropped = 0
        self.completed = 0
        self.store_errors = StoreErrors("shadow", "writing shadow results", logger=log)

    async def start(self) -> None:
        self._tasks = [asyncio.create_task(self._work(), name=f"shadow-{i}")
                       for i in range(self._workers)]
        self._wake = asyncio.Event()
        self._closing = False
        self._writer = asyncio.create_task(self._write_forever(), name="shadow-writer")

    async def stop(self, *, drain_timeout: float = 5.0) -> None:
        """Finish queued jobs (up to ``drain_timeout``), stop workers, flush what is left."""
        try:
            await asyncio.wait_for(self._queue.join(), drain_timeout)
        except TimeoutError:
            log.warning("shadow queue stopped with %d jobs left", self._queue.qsize())
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._writer is not None and self._wake is not None:
            # not cancelled: a batch it is writing in a thread must land before the store is
            # closed, or those results would be lost
            self._closing = True
            self._wake.set()
            await asyncio.gather(self._writer, return_exceptions=True)
        self._tasks, self._writer = [], None
        await self._flush()

    def offer(self, job: ShadowJob) -> bool:
        """Queue a job without waiting; ``False`` (and counted) when the queue is full."""
        self.offered += 1
        try:
            self._queue.put_nowait(job)
        except asyncio.QueueFull:
            self.dropped += 1
            self._batch.drops(job.route, overload=1)
            return False
        return True

    def count_too_large(self, route: str) -> None:
        """Count a request or response that was not shadowed because of its size."""
        self._batch.drops(route, too_large=1)

    def count_drops(self, route: str, *, overload: int = 0, too_large: int = 0) -> None:
        """Count copies dropped before they reached this queue (the proxy's channel)."""
        self._batch.drops(route, overload=overload, too_large=too_large)

    async def join(self) -> None:
        """Wait until every queued job is done and its result written (if the store can)."""
        await self._queue.join()
        await self._flush()

    async def _work(self) -> None:
        while True:
            job = await self._queue.get()
            try:
                await self._run(job)
            except Exception:
                log.exception("shadow job for route %s failed", job.route)
            finally:
                self.completed += 1
                self._queue.task_done()

    def _added(self) -> None:
        # counted apart from len(batch): a batch merged back after a failure is large, and
        # must not make the writer retry a store that is down at every new result
        self._fresh += 1
        if self._fresh >= WRITE_BATCH and self._wake is not None:
            self._wake.set()

    async def _write_forever(self) -> None:
        assert self._wake is not None
        while not self._closing:
            try:
                await asyncio.wait_for(self._wake.wait(), WRITE_INTERVAL_S)
            except TimeoutError:
                pass
            self._wake.clear()
            await self._flush()

    async def _flush(self) -> None:
        """Write the current batch in one thread hop; on failure, keep it for the next."""
        async with self._flushing:
            if not self._batch:
                return
            batch, self._batch = self._batch, self._batch.fresh()
            self._fresh = 0
            try:
                await asyncio.to_thread(self._store.record_batch, batch)
            except Exception as exc:  # the store is down: nothing of the batch was written
                self.store_errors.report(exc)
                batch.failed()
                batch.merge(self._batch)  # what came in meanwhile is newer
                self._batch = batch

    async def _run(self, job: ShadowJob) -> None:
        waited = self._cpu_wait()
        started = time.perf_counter()
        primary_ms = job.primary.latency_ms
        send_candidate = job.send_candidate or self._send_candidate
        timeout = job.timeout or self._timeout
        try:
            if send_candidate is None:
                raise LookupError(f"no candidate sender for route {job.route}")
            candidate = await asyncio.wait_for(send_candidate(job.request), timeout)
        except Exception as exc:  # noqa: BLE001 - timeout, refused, reset: candidate errors
            log.debug("shadow to candidate failed on %s: %s", job.route, type(exc).__name__)
            if starved(waited, self._cpu_wait(), (time.perf_counter() - started) * 1000):
                self.count_drops(job.route, overload=1)  # we were too slow, not the candidate
                return
            self._batch.candidate_error(job.route, primary_ms=primary_ms,
                                        candidate_ms=(time.perf_counter() - started) * 1000)
            self._added()
            return
        if candidate.truncated or job.primary.truncated:
            self.count_too_large(job.route)
            return
        rules = job.rules
        if self._noise is not None:
            model = self._noise.for_route(job.route)
            send_primary = job.send_primary or self._send_primary
            if job.learn_noise and send_primary and job.request.method in SAFE_METHODS:
                await self._learn(job, model, send_primary)
            rules = model.apply(rules)
        candidate_ms = corrected_latency(candidate.latency_ms, waited, self._cpu_wait())
        comparison = compare(job.primary, candidate, rules)
        example = None if comparison.match else ShadowExample(
            job.request, job.primary, candidate, comparison.differences)
        if example is not None and job.redact is not None:
            example = redact_example(example, job.redact)
        self._batch.comparison(
            job.route, comparison, primary_ms=primary_ms, candidate_ms=candidate_ms,
            candidate_error=candidate.status >= 500, example=example)
        self._added()

    async def _learn(self, job: ShadowJob, model: NoiseModel, send_primary: SendFn) -> None:
        try:
            again = await asyncio.wait_for(send_primary(job.request),
                                           job.timeout or self._timeout)
        except Exception as exc:  # noqa: BLE001 - no second answer: learn nothing this time
            log.debug("second primary request failed on %s: %s", job.route,
                      type(exc).__name__)
            return
        if not again.truncated:
            model.learn(job.primary, again, job.rules)
