"""The diff batch on its own: sums, bounds, merges and the eviction rule (no store)."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from strangler_proxy.compare import CompareRules, compare
from strangler_proxy.diff_batch import DiffBatch, evictions, signature_of, storable, storable_text
from strangler_proxy.example import ShadowExample, prepare_example
from strangler_proxy.latency_hist import bucket_of
from strangler_proxy.redact import RedactRules
from strangler_proxy.snapshots import RequestSnapshot, ResponseSnapshot

JSON = (("content-type", "application/json"),)


def resp(doc):
    return ResponseSnapshot(status=200, headers=JSON, body=json.dumps(doc).encode())


def differing(*fields, n=0):
    """A comparison (and its example) that differs at ``fields``."""
    a, b = resp({f: "a" for f in fields}), resp({f: "b" for f in fields})
    result = compare(a, b, CompareRules())
    return result, ShadowExample(RequestSnapshot(method="GET", path=f"/x/{n}"), a, b,
                                 result.differences)


def mismatch(batch, field, n=0, **latencies):
    result, example = differing(field, n=n)
    batch.comparison("r", result, example=example, **latencies)


def test_counts_are_summed_per_route():
    batch = DiffBatch(max_examples=5, max_paths=10)
    same = compare(resp({"a": 1}), resp({"a": 1}), CompareRules())
    batch.comparison("r", same, primary_ms=10.0, candidate_ms=12.0)
    batch.comparison("r", same, primary_ms=10.0, candidate_ms=None, candidate_error=True)
    result, _ = differing("title")
    batch.comparison("r", result, primary_ms=500.0, candidate_ms=12.0)
    batch.candidate_error("r", candidate_ms=2000.0)
    batch.drops("r", overload=3)
    batch.drops("r", too_large=2)
    batch.drops("other")  # nothing to count: the route does not appear
    assert len(batch) == 6 and bool(batch)
    ((route, part),) = batch.routes()
    assert route == "r"
    assert part.counters == {"compared": 3, "matched": 2, "mismatched": 1,
                             "candidate_requests": 4, "candidate_errors": 2,
                             "dropped_overload": 3, "dropped_too_large": 2}
    assert part.paths == {"title": 1}
    assert part.latency == {("primary", bucket_of(10.0)): 2, ("primary", bucket_of(500.0)): 1,
                            ("candidate", bucket_of(12.0)): 2,
                            ("candidate", bucket_of(2000.0)): 1}


def test_an_empty_batch_is_false():
    batch = DiffBatch(max_examples=5, max_paths=10)
    batch.drops("r", overload=0, too_large=0)
    assert not batch and len(batch) == 0 and batch.routes() == []


def test_a_path_counts_once_per_comparison_and_indices_are_generalised():
    batch = DiffBatch(max_examples=5, max_paths=10)
    a = resp({"results": [{"t": 1}, {"t": 2}, {"t": 3}]})
    b = resp({"results": [{"t": 0}, {"t": 0}, {"t": 0}]})
    for _ in range(2):
        batch.comparison("r", compare(a, b, CompareRules()))
    assert batch.routes()[0][1].paths == {"results[*].t": 2}


def test_every_path_counts_in_a_batch_and_a_failed_one_keeps_the_first_seen():
    # past the store's bound a path still counts where the store already knows it, so a
    # batch keeps them all; one kept for a retry is cut to the bound, first seen first
    batch = DiffBatch(max_examples=5, max_paths=3)
    for field in ("a", "b", "c", "d", "a", "e", "c"):
        batch.comparison("r", differing(field)[0])
    assert batch.routes()[0][1].paths == {"a": 2, "b": 1, "c": 2, "d": 1, "e": 1}
    batch.failed()
    assert batch.routes()[0][1].paths == {"a": 2, "b": 1, "c": 2}
    assert batch.routes()[0][1].counters["mismatched"] == 7


def test_a_bad_latency_leaves_nothing_half_counted():
    batch = DiffBatch(max_examples=5, max_paths=3)
    result, example = differing("a")
    with pytest.raises(ValueError):
        batch.comparison("r", result, primary_ms=float("nan"), example=example)
    assert not batch and batch.routes() == []


def test_examples_are_capped_and_the_most_repeated_kind_goes_first():
    batch = DiffBatch(max_examples=3, max_paths=10)
    mismatch(batch, "rare", n=0)
    for n in range(1, 6):
        mismatch(batch, "common", n=n)
    batch.comparison("r", compare(resp({}), resp({}), CompareRules()),
                     example=differing("match-has-no-example")[1])
    kept = [(p.signature, p.example.request.path) for p in batch.routes()[0][1].examples]
    assert kept == [("rare", "/x/0"), ("common", "/x/4"), ("common", "/x/5")]


def test_merge_adds_everything_and_stays_bounded():
    old = DiffBatch(max_examples=2, max_paths=2)
    new = old.fresh()
    for batch, fields in ((old, ("a", "b")), (new, ("b", "c"))):
        for i, field in enumerate(fields):
            mismatch(batch, field, n=i, primary_ms=1.0)
        batch.drops("r", overload=1)
    old.merge(new)
    ((_, part),) = old.routes()
    assert len(old) == 6
    assert part.counters["compared"] == 4 and part.counters["dropped_overload"] == 2
    assert part.paths == {"a": 1, "b": 2, "c": 1}
    assert part.latency == {("primary", bucket_of(1.0)): 4}
    assert [p.signature for p in part.examples] == ["b", "c"]  # variety, newest kept
    assert len(new) == 3 and new.routes()[0][1].counters["compared"] == 2  # left as it was


def test_an_example_is_dropped_after_two_failed_writes_counts_never_are():
    batch = DiffBatch(max_examples=5, max_paths=5)
    mismatch(batch, "a")
    batch.failed()
    assert len(batch.routes()[0][1].examples) == 1  # one failure: kept for the retry
    later = batch.fresh()
    mismatch(later, "b")
    batch.merge(later)
    batch.failed()
    ((_, part),) = batch.routes()
    assert [p.signature for p in part.examples] == ["b"]
    assert part.counters["mismatched"] == 2 and part.paths == {"a": 1, "b": 1}


def test_signature_is_the_one_the_store_writes():
    for fields in (("title",), ("results",)):
        result, example = differing(*fields)
        assert signature_of(example) == prepare_example(example, RedactRules(),
                                                        16_384)["signature"]


def test_storable_text_replaces_nul_and_lone_surrogates():
    assert storable_text("plain é") == "plain é"
    assert storable_text("a\x00b") == "a\ufffdb"
    assert storable_text(json.loads('"x\\ud800y"')) == "x?y"
    assert storable({"k\x00": ["\x00", 1, None, {"v": "ok"}]}) == {
        "k\ufffd": ["\ufffd", 1, None, {"v": "ok"}]}


def _one_at_a_time(signatures, cap):
    """The store's rule as it ran before batches: evict after each insert."""
    kept = {}
    for order, signature in enumerate(signatures):
        kept[order] = signature
        for victim in evictions(kept, cap):
            del kept[victim]
    return kept


@given(st.lists(st.sampled_from("ABCD"), max_size=30), st.integers(0, 6))
def test_evicting_in_one_go_leaves_what_evicting_after_each_leaves(signatures, cap):
    all_at_once = dict(enumerate(signatures))
    for victim in evictions(all_at_once, cap):
        del all_at_once[victim]
    assert all_at_once == _one_at_a_time(signatures, cap)


def test_evictions_pick_the_oldest_of_the_most_repeated():
    assert evictions({1: "a", 2: "b", 3: "b", 4: "a", 5: "c"}, 4) == [1]
    assert evictions({1: "a", 2: "b", 3: "b"}, 2) == [2]
    assert evictions({1: "a", 2: "b"}, 0) == [1, 2]
