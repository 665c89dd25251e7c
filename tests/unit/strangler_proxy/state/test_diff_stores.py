"""The diff store's behaviour, the same on SQLite and PostgreSQL (see conftest ``backend``)."""

import json

from strangler_proxy.compare import CompareRules, compare
from strangler_proxy.example import ShadowExample
from strangler_proxy.redact import RedactRules
from strangler_proxy.snapshots import RequestSnapshot, ResponseSnapshot

JSON = (("content-type", "application/json"),)


def resp(doc, status=200, headers=JSON):
    return ResponseSnapshot(status=status, headers=headers, body=json.dumps(doc).encode())


def mismatch(store, route, field="title", n=0):
    a, b = resp({field: "a", "n": n}), resp({field: "b", "n": n})
    result = compare(a, b, CompareRules())
    request = RequestSnapshot(method="GET", path=f"/api/{route}/{n}")
    store.record_comparison(route, result, primary_ms=5.0, candidate_ms=9.0,
                            example=ShadowExample(request, a, b, result.differences))


def test_counters_rates_and_top_paths(backend):
    store = backend.diffs()
    same = compare(resp({"a": 1}), resp({"a": 1}), CompareRules())
    for _ in range(7):
        store.record_comparison("catalog", same, primary_ms=10.0, candidate_ms=12.0)
    for i in range(3):
        a = resp({"results": [{"t": i}, {"t": i}]})
        b = resp({"results": [{"t": -1}, {"t": -1}]})
        store.record_comparison("catalog", compare(a, b, CompareRules()), primary_ms=10.0,
                                candidate_ms=12.0, candidate_error=i == 0)
    store.record_candidate_error("catalog", primary_ms=10.0, candidate_ms=2000.0)
    store.record_drops("catalog", overload=4, too_large=2)
    store.record_drops("catalog")  # nothing to count: no row is touched
    (summary,) = store.summary("catalog")
    assert (summary.compared, summary.matched, summary.mismatched) == (10, 7, 3)
    assert (summary.dropped_overload, summary.dropped_too_large) == (4, 2)
    assert (summary.candidate_requests, summary.candidate_errors) == (11, 2)
    assert summary.match_rate == 0.7
    assert summary.top_paths == (("results[*].t", 3),)
    assert 10.0 <= summary.primary_p99_ms <= 11.0
    assert 2000.0 <= summary.candidate_p99_ms <= 2200.0
    figures = summary.figures()
    assert figures.compared == 10 and figures.candidate_errors == 2
    assert store.summary("unknown") == []


def test_drops_alone_make_a_route_without_rates(backend):
    store = backend.diffs()
    store.record_drops("orders", too_large=3)
    (summary,) = store.summary()
    assert (summary.route, summary.dropped_too_large, summary.compared) == ("orders", 3, 0)
    assert summary.match_rate is None and summary.primary_p99_ms is None


def test_summary_lists_every_route_sorted_bytewise(backend):
    store = backend.diffs()
    for route in ("orders", "catalog", "Zeta", "a-b", "a_b"):
        mismatch(store, route)
    assert [s.route for s in store.summary()] == sorted(["orders", "catalog", "Zeta", "a-b",
                                                         "a_b"])


def test_top_paths_are_ordered_by_count_then_name(backend):
    store = backend.diffs()
    for fields, times in ((("b", "c"), 2), (("a",), 2), (("z",), 5)):
        for _ in range(times):
            left = {f: 1 for f in fields}
            store.record_comparison("r", compare(resp(left), resp({}), CompareRules()))
    assert store.summary("r")[0].top_paths[:4] == (("z", 5), ("a", 2), ("b", 2), ("c", 2))
    assert len(store.summary("r", top=2)[0].top_paths) == 2


def test_examples_are_capped_and_the_most_repeated_kind_is_evicted(backend):
    store = backend.diffs(max_examples=3)
    mismatch(store, "catalog", field="rare", n=0)
    for n in range(1, 6):
        mismatch(store, "catalog", field="common", n=n)
    mismatch(store, "other", field="common", n=9)  # another route's cap is its own
    examples = store.examples("catalog")
    assert len(examples) == 3
    assert "rare" in [e.signature for e in examples]  # the lone kind survives
    assert [e.target for e in examples if e.signature == "common"] == ["/api/catalog/5",
                                                                       "/api/catalog/4"]
    assert store.examples("catalog", limit=1)[0].target == "/api/catalog/5"
    assert [e.target for e in store.examples("other")] == ["/api/other/9"]
    newest = examples[0]
    assert newest.route == "catalog" and newest.method == "GET"
    assert newest.data["differences"][0]["path"] == "common"


def test_matching_comparisons_store_no_example(backend):
    store = backend.diffs()
    a = resp({"a": 1})
    result = compare(a, a, CompareRules())
    store.record_comparison("r", result, example=ShadowExample(
        RequestSnapshot(method="GET", path="/"), a, a, ()))
    assert store.examples("r") == []
    assert store.summary("r")[0].matched == 1


def test_example_size_is_capped(backend):
    store = backend.diffs(max_example_bytes=2048)
    a, b = resp({"blob": "x" * 50_000}), resp({"blob": "y" * 50_000})
    result = compare(a, b, CompareRules())
    store.record_comparison("r", result, example=ShadowExample(
        RequestSnapshot(method="GET", path="/"), a, b, result.differences))
    (example,) = store.examples("r")
    assert len(json.dumps(example.data).encode()) <= 2048
    assert example.data["primary"]["body_truncated"] is True


def test_paths_per_route_are_bounded(backend):
    store = backend.diffs(max_paths=5)
    for i in range(20):
        store.record_comparison("r", compare(resp({f"k{i}": 1}), resp({}), CompareRules()))
    store.record_comparison("r", compare(resp({"k0": 1}), resp({}), CompareRules()))
    top = dict(store.summary("r", top=100)[0].top_paths)
    assert len(top) == 5 and top["k0"] == 2  # known paths keep counting


def test_secrets_never_reach_the_store(backend):
    store = backend.diffs(redact=RedactRules.build(fields=["**.ssn"]))
    secrets = ["Bearer-SECRET-1", "SESSION-SECRET-2", "COOKIE-SECRET-3", "hunter2-SECRET-4",
               "TOKEN-SECRET-5", "SSN-SECRET-6", "QUERY-SECRET-7", "CSRF-SECRET-8"]
    request = RequestSnapshot(
        method="POST", path=f"/api/login/?token={secrets[6]}&page=1",
        headers=(("authorization", secrets[0]), ("cookie", f"sessionid={secrets[1]}"),
                 ("content-type", "application/json")),
        body=json.dumps({"username": "ann", "password": secrets[3]}).encode())
    primary = ResponseSnapshot(status=200, headers=JSON + (("set-cookie",
                               f"sessionid={secrets[2]}; HttpOnly"),),
                               body=json.dumps({"user": {"token": secrets[4], "ssn": secrets[5],
                                                         "csrf_token": secrets[7]},
                                                "v": 1}).encode())
    candidate = ResponseSnapshot(status=200, headers=JSON,
                                 body=json.dumps({"user": {"token": "other", "ssn": "other"},
                                                  "v": 2}).encode())
    result = compare(primary, candidate, CompareRules.build(headers=["set-cookie"],
                                                           builtin_normalizers=False))
    assert {"user.token", "user.ssn", "v"} <= set(result.paths())
    store.record_comparison("login", result, example=ShadowExample(request, primary, candidate,
                                                                   result.differences))
    store.close()
    raw = backend.stored_text()
    assert b"/api/login/" in raw  # the example is there ...
    for secret in secrets:
        assert secret.encode() not in raw, secret  # ... without any secret
    stored = backend.diffs().examples("login")[0].data
    assert stored["request"]["body"] and "ann" in stored["request"]["body"]
    assert stored["target"].endswith("page=1")


def test_figures_survive_a_reopen(backend):
    mismatch(backend.diffs(), "catalog")
    again = backend.diffs()
    assert again.summary("catalog")[0].mismatched == 1
    assert len(again.examples("catalog")) == 1
