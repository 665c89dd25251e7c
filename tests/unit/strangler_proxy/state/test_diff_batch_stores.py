"""A batch written in one transaction reads back exactly as the same results written one
by one; on both stores (see conftest ``backend``)."""

import json
import subprocess
import sys

from strangler_proxy.compare import CompareRules, compare
from strangler_proxy.example import ShadowExample
from strangler_proxy.snapshots import RequestSnapshot, ResponseSnapshot

JSON = (("content-type", "application/json"),)
MAX_EXAMPLES = 4
MAX_PATHS = 6


def resp(doc, status=200):
    return ResponseSnapshot(status=status, headers=JSON, body=json.dumps(doc).encode())


def mismatch(route, fields, n):
    """A record_comparison call that differs at every one of ``fields``, with its example."""
    listed = n % 3 == 0  # a second kind of difference, and of example signature
    a = resp({**({"results": [{"t": n}, {"t": n}]} if listed else {}),
              **{f: "a" for f in fields}})
    b = resp({**({"results": [{"t": -1}, {"t": -1}]} if listed else {}),
              **{f: "b" for f in fields}})
    result = compare(a, b, CompareRules())
    example = ShadowExample(RequestSnapshot(method="GET", path=f"/api/{route}/{n}"), a, b,
                            result.differences)
    return ("comparison", (route, result),
            {"primary_ms": 4.0 + n, "candidate_ms": 9.0 * n, "example": example})


def history():
    """What both stores hold before: examples and paths to evict and to count on."""
    return [mismatch("catalog", ("k1",), 0), mismatch("catalog", ("k1",), 1),
            mismatch("catalog", ("k9",), 2)]


def sequence():
    """Matches, mismatches on several paths (more than the bound), candidate errors, drops,
    latencies on one side only, and more examples than the cap, on two routes."""
    same = compare(resp({"a": 1}), resp({"a": 1}), CompareRules())
    a = resp({"a": 1})
    calls = []
    for i in range(12):
        route = ("catalog", "orders")[i % 2]
        calls.append(("comparison", (route, same), {"primary_ms": 3.0 * i, "candidate_ms": 5.0}))
        calls.append(mismatch(route, [f"k{j}" for j in range(i % 4, i % 4 + i % 3 + 1)], i))
        if i % 3 == 0:
            calls.append(("candidate_error", (route,), {"candidate_ms": 2000.0 + i}))
        if i % 4 == 1:
            calls.append(("drops", (route,), {"overload": i, "too_large": i % 2}))
    calls += [
        ("comparison", ("catalog", same), {"candidate_error": True}),
        ("comparison", ("catalog", same),  # a match stores no example
         {"example": ShadowExample(RequestSnapshot(method="GET", path="/"), a, a, ())}),
        ("comparison", ("orders", compare(resp({"x": 1}), resp({"x": 2}),
                                          CompareRules())), {"primary_ms": 1.0}),
        ("drops", ("orders",), {}),
        ("candidate_error", ("metrics",), {}),
        mismatch("catalog", ("k1",), 40), mismatch("catalog", ("k1",), 41),
        mismatch("catalog", ("k9",), 42),
    ]
    return calls


def write_one_by_one(store, calls, prefix):
    for name, args, kwargs in calls:
        getattr(store, f"record_{name}")(prefix + args[0], *args[1:], **kwargs)


def write_as_one_batch(store, calls, prefix):
    batch = store.new_batch()
    for name, args, kwargs in calls:
        getattr(batch, name)(prefix + args[0], *args[1:], **kwargs)
    store.record_batch(batch)


def read_back(store, prefix):
    """Everything a reader sees of the routes under ``prefix``, without the prefix and ids."""
    summaries = {s.route.removeprefix(prefix): s for s in store.summary(top=100)
                 if s.route.startswith(prefix)}
    figures = {route: (s.compared, s.matched, s.mismatched, s.dropped_overload,
                       s.dropped_too_large, s.candidate_requests, s.candidate_errors,
                       s.primary_p99_ms, s.candidate_p99_ms, s.top_paths)
               for route, s in summaries.items()}
    examples = {route: [(e.signature, e.target, e.data) for e in store.examples(prefix + route)]
                for route in summaries}
    return figures, examples


def test_one_batch_reads_back_as_the_same_writes_one_by_one(backend):
    store = backend.diffs(max_examples=MAX_EXAMPLES, max_paths=MAX_PATHS)
    for prefix in ("items/", "batch/"):
        write_one_by_one(store, history(), prefix)
    write_one_by_one(store, sequence(), "items/")
    write_as_one_batch(store, sequence(), "batch/")
    one_by_one, batched = read_back(store, "items/"), read_back(store, "batch/")
    assert batched == one_by_one
    figures, examples = batched
    assert set(figures) == {"catalog", "orders", "metrics"}
    assert figures["catalog"][0] == 3 + 6 * 2 + 5  # before, in the loop, at the end
    assert len(dict(store.summary("batch/catalog", top=100)[0].top_paths)) == MAX_PATHS
    assert len(examples["catalog"]) == MAX_EXAMPLES and len(examples["orders"]) == MAX_EXAMPLES
    assert len({signature for signature, _, _ in examples["catalog"]}) > 1  # variety kept


def test_batches_in_a_row_read_back_as_writes_one_by_one(backend):
    store = backend.diffs(max_examples=MAX_EXAMPLES, max_paths=MAX_PATHS)
    calls = history() + sequence()
    write_one_by_one(store, calls, "items/")
    for start in range(0, len(calls), 7):
        write_as_one_batch(store, calls[start:start + 7], "batch/")
    assert read_back(store, "batch/") == read_back(store, "items/")


def test_an_empty_batch_writes_nothing(backend):
    store = backend.diffs()
    batch = store.new_batch()
    batch.drops("r")
    store.record_batch(batch)
    assert store.summary() == []


def test_text_no_store_can_hold_is_made_storable(backend):
    # a NUL byte in a text body (PostgreSQL refuses it in text and JSONB) and a JSON
    # "\ud800" that decodes to a lone surrogate (no UTF-8 encoder takes it): one such
    # result must not fail the whole batch it is in
    store = backend.diffs()
    surrogate = ResponseSnapshot(status=200, headers=JSON, body=b'{"v": "\\ud800", "w": 1}')
    text = (("content-type", "text/plain"),)
    nul = ResponseSnapshot(status=200, headers=text, body=b"a\x00b")
    batch = store.new_batch()
    for n, (primary, candidate) in enumerate((
            (surrogate, resp({"v": "x", "w": 1})),
            (nul, ResponseSnapshot(status=200, headers=text, body=b"a b")))):
        result = compare(primary, candidate, CompareRules())
        batch.comparison("r", result, example=ShadowExample(
            RequestSnapshot(method="GET", path=f"/odd/{n}"), primary, candidate,
            result.differences))
    batch.comparison("r", compare(resp({"a": 1}), resp({"a": 1}), CompareRules()))
    store.record_batch(batch)
    (summary,) = store.summary("r", top=10)
    assert (summary.compared, summary.mismatched) == (3, 2)
    stored = {e.target: e.data for e in store.examples("r")}
    assert set(stored) == {"/odd/0", "/odd/1"}
    assert stored["/odd/0"]["differences"][0]["primary"] == '"?"'
    assert stored["/odd/1"]["primary"]["body"] == "a\ufffdb"


WRITER = """
import json, sys
from strangler_proxy.compare import CompareRules, compare
from strangler_proxy.example import ShadowExample
from strangler_proxy.snapshots import RequestSnapshot, ResponseSnapshot
from strangler_proxy.state_factory import open_state

url, me = sys.argv[1], int(sys.argv[2])
store = open_state(url, max_examples=5, max_paths=25).diffs
H = (("content-type", "application/json"),)
def resp(doc):
    return ResponseSnapshot(status=200, headers=H, body=json.dumps(doc).encode())
for i in range(20):
    batch = store.new_batch()
    # each writer adds the routes in its own order: the store locks them in one order
    for route in (("a", "b", "c") if me % 2 else ("c", "b", "a")):
        a, b = resp({f"p{i % 7}": 1}), resp({})
        result = compare(a, b, CompareRules())
        request = RequestSnapshot(method="GET", path=f"/{route}/{me}/{i}")
        batch.comparison(route, result, primary_ms=5.0, candidate_ms=8.0,
                         example=ShadowExample(request, a, b, result.differences))
        batch.drops(route, overload=1)
    store.record_batch(batch)
store.close()
"""


def test_several_processes_writing_batches_lose_nothing(backend):
    backend.diffs()  # the schema exists before the writers race to create it
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, backend.url, str(me)])
             for me in range(3)]
    assert [p.wait(120) for p in procs] == [0, 0, 0]
    store = backend.diffs()
    for summary in store.summary(top=100):
        assert (summary.compared, summary.mismatched, summary.dropped_overload) == (60, 60, 60)
        assert sum(n for _, n in summary.top_paths) == 60
        assert len(store.examples(summary.route, limit=100)) == 5
    assert [s.route for s in store.summary()] == ["a", "b", "c"]
