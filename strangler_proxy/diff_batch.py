"""Shadow results gathered between two store writes, written as one transaction.

A :class:`DiffBatch` holds, per route, what the diff store would have been told one call at
a time, already summed: counter deltas, how many comparisons differed at each generalised
path (first seen first), latency bucket counts per side, and the mismatch examples (at most
the store's example cap per route: the example evicted is the one the store would evict,
the oldest of the most repeated signature). Written by ``record_batch``, it reads back
exactly as the calls one by one would. Every part adds up, so a batch whose write failed
can be merged into the next one without losing or doubling a count; its size stays bounded
however long the store stays away (see :meth:`DiffBatch.failed`).

:func:`evictions` is that eviction rule, shared by the batch and the stores; evicting in one
go after adding several examples leaves the same examples as evicting after each one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeVar

from strangler_proxy import latency_hist
from strangler_proxy.compare.paths import generalise
from strangler_proxy.compare.result import Comparison, Difference
from strangler_proxy.example import ShadowExample

__all__ = ["COUNTERS", "DiffBatch", "PendingExample", "RouteBatch", "evictions",
           "signature_of", "storable", "storable_example", "storable_text"]

COUNTERS = ("compared", "matched", "mismatched", "candidate_requests", "candidate_errors",
            "dropped_overload", "dropped_too_large")
EXAMPLE_ATTEMPTS = 2  # failed writes an example survives (see DiffBatch.failed)
Side = Literal["primary", "candidate"]
K = TypeVar("K", int, tuple[int, int])  # sortable: oldest first


@dataclass(slots=True)
class PendingExample:
    order: int  # arrival order in the batch: the oldest of a signature goes first
    signature: str
    example: ShadowExample
    failures: int = 0  # writes of a batch holding it that failed


@dataclass(slots=True)
class RouteBatch:
    """One route's share of a batch."""

    counters: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))
    # path -> comparisons, first seen first: the store admits new paths in this order
    paths: dict[str, int] = field(default_factory=dict)
    latency: dict[tuple[Side, int], int] = field(default_factory=dict)  # (side, bucket) -> n
    examples: list[PendingExample] = field(default_factory=list)  # oldest first


class DiffBatch:
    """What the diff store is to record, summed per route; get one from ``store.new_batch()``.

    >>> batch = DiffBatch(max_examples=20, max_paths=200)
    >>> batch.drops("catalog", overload=2)
    >>> len(batch), batch.routes()[0][1].counters["dropped_overload"]
    (1, 2)
    """

    def __init__(self, *, max_examples: int, max_paths: int) -> None:
        self.max_examples = max_examples
        self.max_paths = max_paths
        self._routes: dict[str, RouteBatch] = {}
        self._items = 0
        self._next_order = 0

    def fresh(self) -> DiffBatch:
        """A new, empty batch with the same caps."""
        return DiffBatch(max_examples=self.max_examples, max_paths=self.max_paths)

    def comparison(self, route: str, comparison: Comparison, *,
                   primary_ms: float | None = None, candidate_ms: float | None = None,
                   candidate_error: bool = False, example: ShadowExample | None = None) -> None:
        """One comparison; ``candidate_error`` when the candidate answered 5xx."""
        # everything that can fail first: a bad latency must not leave half a comparison
        buckets = _buckets(primary_ms, candidate_ms)
        paths = sorted({storable_text(generalise(d.path)) for d in comparison.differences})
        part = self._part(route)
        counters = part.counters
        counters["compared"] += 1
        counters["matched" if comparison.match else "mismatched"] += 1
        counters["candidate_requests"] += 1
        counters["candidate_errors"] += int(candidate_error)
        for path in paths:
            self._count_path(part, path, 1)
        for key in buckets:
            part.latency[key] = part.latency.get(key, 0) + 1
        if example is not None and not comparison.match:
            self._add_example(part, PendingExample(self._order(), signature_of(example),
                                                   example))
        self._items += 1

    def candidate_error(self, route: str, *, primary_ms: float | None = None,
                        candidate_ms: float | None = None) -> None:
        """A candidate that failed to answer (timeout, refused, reset)."""
        buckets = _buckets(primary_ms, candidate_ms)
        part = self._part(route)
        part.counters["candidate_requests"] += 1
        part.counters["candidate_errors"] += 1
        for key in buckets:
            part.latency[key] = part.latency.get(key, 0) + 1
        self._items += 1

    def drops(self, route: str, *, overload: int = 0, too_large: int = 0) -> None:
        """Shadow copies not made: queue full (overload) or body too large."""
        if overload or too_large:
            counters = self._part(route).counters
            counters["dropped_overload"] += overload
            counters["dropped_too_large"] += too_large
            self._items += 1

    def merge(self, other: DiffBatch) -> None:
        """Add ``other`` (newer than this batch) into this one; ``other`` is left as it was."""
        for route, theirs in other._routes.items():
            part = self._part(route)
            for name, value in theirs.counters.items():
                part.counters[name] += value
            for path, n in theirs.paths.items():
                self._count_path(part, path, n)
            for key, n in theirs.latency.items():
                part.latency[key] = part.latency.get(key, 0) + n
            for pending in theirs.examples:
                self._add_example(part, PendingExample(self._order(), pending.signature,
                                                       pending.example, pending.failures))
        self._items += other._items

    def failed(self) -> None:
        """Note that writing this batch failed: it is to be merged back and written again.

        Counters and latencies are kept whatever happens. An example whose write failed
        ``EXAMPLE_ATTEMPTS`` times is dropped: it may be the one the store cannot take, and
        it must not block every later write (examples are samples, counts are the figures).
        Paths are cut to the first ``max_paths`` seen, the ones the store would admit into
        an empty table: a route of random paths cannot grow the batch while the store is
        away (the counts cut are those of paths the store may have known from before).
        """
        for part in self._routes.values():
            for pending in part.examples:
                pending.failures += 1
            part.examples = [p for p in part.examples if p.failures < EXAMPLE_ATTEMPTS]
            if len(part.paths) > self.max_paths:
                part.paths = dict(list(part.paths.items())[:self.max_paths])

    def routes(self) -> list[tuple[str, RouteBatch]]:
        """Every route's share, sorted by route: writers take the routes' locks in one order."""
        return sorted(self._routes.items())

    def __len__(self) -> int:
        """How many calls (comparisons, candidate errors, drop counts) the batch holds."""
        return self._items

    def __bool__(self) -> bool:
        return self._items > 0

    def _part(self, route: str) -> RouteBatch:
        part = self._routes.get(route)
        if part is None:
            part = self._routes[route] = RouteBatch()
        return part

    def _order(self) -> int:
        self._next_order += 1
        return self._next_order

    @staticmethod
    def _count_path(part: RouteBatch, path: str, n: int) -> None:
        # not bounded here: past the store's bound, a path still counts where the store
        # knew it before; a batch holds at most its comparisons' differences
        part.paths[path] = part.paths.get(path, 0) + n

    def _add_example(self, part: RouteBatch, pending: PendingExample) -> None:
        part.examples.append(pending)
        if len(part.examples) > self.max_examples:
            gone = set(evictions({p.order: p.signature for p in part.examples},
                                 self.max_examples))
            part.examples = [p for p in part.examples if p.order not in gone]


def evictions(kept: Mapping[K, str], cap: int) -> list[K]:
    """Which of ``kept`` (sortable key, oldest first -> signature) to evict to keep ``cap``.

    One at a time, the oldest example of the most repeated signature (between signatures
    repeated as often, the one whose oldest example is oldest): variety is what helps.
    """
    live = dict(sorted(kept.items()))
    gone: list[K] = []
    while len(live) > cap:
        counts = Counter(live.values())
        oldest: dict[str, K] = {}
        for key, signature in live.items():
            oldest.setdefault(signature, key)
        victim = oldest[min(counts, key=lambda s: (-counts[s], oldest[s]))]
        del live[victim]
        gone.append(victim)
    return gone


def signature_of(example: ShadowExample) -> str:
    """The kind of difference, as ``prepare_example`` names it in the stored payload."""
    if not example.differences:
        return "match"
    return storable_text(generalise(example.differences[0].path))


def storable_text(text: str) -> str:
    """``text`` as every store can hold it: no NUL (U+FFFD), no lone surrogate (``?``).

    PostgreSQL refuses both in text and JSONB, and no UTF-8 encoder takes a lone surrogate
    (a JSON ``"\\ud800"`` decodes to one); one such string must not fail a whole batch.
    """
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    try:
        text.encode()
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode()
    return text


def storable_example(example: ShadowExample) -> ShadowExample:
    """``example`` with storable difference paths and values (bodies are bytes already)."""
    return replace(example, differences=tuple(
        Difference(storable_text(d.path), d.kind,
                   None if d.primary is None else storable_text(d.primary),
                   None if d.candidate is None else storable_text(d.candidate))
        for d in example.differences))


def storable(value: Any) -> Any:
    """A prepared example payload with every string made :func:`storable_text`."""
    if isinstance(value, str):
        return storable_text(value)
    if isinstance(value, dict):
        return {storable_text(k): storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable(v) for v in value]
    return value


def _buckets(primary_ms: float | None,
             candidate_ms: float | None) -> list[tuple[Side, int]]:
    out: list[tuple[Side, int]] = []
    if primary_ms is not None:
        out.append(("primary", latency_hist.bucket_of(primary_ms)))
    if candidate_ms is not None:
        out.append(("candidate", latency_hist.bucket_of(candidate_ms)))
    return out
