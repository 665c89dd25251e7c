import json
import sqlite3
import subprocess
import sys

from strangler_proxy.compare import CompareRules, compare
from strangler_proxy.diffstore import SqliteDiffStore
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


def test_counters_rates_and_top_paths(tmp_path):
    store = SqliteDiffStore(tmp_path / "state.db")
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
    (summary,) = store.summary("catalog")
    assert (summary.compared, summary.matched, summary.mismatched) == (10, 7, 3)
    assert (summary.dropped_overload, summary.dropped_too_large) == (4, 2)
    assert (summary.candidate_requests, summary.candidate_errors) == (11, 2)
    assert summary.match_rate == 0.7
    # two differing indices count once per comparison, under the generalised path
    assert summary.top_paths == (("results[*].t", 3),)
    assert 10.0 <= summary.primary_p99_ms <= 11.0
    assert 2000.0 <= summary.candidate_p99_ms <= 2200.0
    figures = summary.figures()
    assert figures.compared == 10 and figures.candidate_errors == 2
    assert store.summary("unknown") == []
    store.close()


def test_summary_lists_every_route_sorted(tmp_path):
    store = SqliteDiffStore(tmp_path / "s.db")
    mismatch(store, "orders")
    mismatch(store, "catalog")
    assert [s.route for s in store.summary()] == ["catalog", "orders"]


def test_examples_are_capped_and_the_most_repeated_kind_is_evicted(tmp_path):
    store = SqliteDiffStore(tmp_path / "s.db", max_examples=3)
    mismatch(store, "catalog", field="rare", n=0)
    for n in range(1, 6):
        mismatch(store, "catalog", field="common", n=n)
    examples = store.examples("catalog")
    assert len(examples) == 3
    signatures = [e.signature for e in examples]
    assert "rare" in signatures  # the lone kind survives
    assert [e.target for e in examples if e.signature == "common"] == ["/api/catalog/5",
                                                                       "/api/catalog/4"]
    assert store.examples("catalog", limit=1)[0].target == "/api/catalog/5"


def test_matching_comparisons_store_no_example(tmp_path):
    store = SqliteDiffStore(tmp_path / "s.db")
    a = resp({"a": 1})
    result = compare(a, a, CompareRules())
    store.record_comparison("r", result, example=ShadowExample(
        RequestSnapshot(method="GET", path="/"), a, a, ()))
    assert store.examples("r") == []


def test_example_size_is_capped(tmp_path):
    store = SqliteDiffStore(tmp_path / "s.db", max_example_bytes=2048)
    a, b = resp({"blob": "x" * 50_000}), resp({"blob": "y" * 50_000})
    result = compare(a, b, CompareRules())
    store.record_comparison("r", result, example=ShadowExample(
        RequestSnapshot(method="GET", path="/"), a, b, result.differences))
    (example,) = store.examples("r")
    assert len(json.dumps(example.data).encode()) <= 2048
    assert example.data["primary"]["body_truncated"] is True


def test_paths_per_route_are_bounded(tmp_path):
    store = SqliteDiffStore(tmp_path / "s.db", max_paths=5)
    for i in range(20):
        store.record_comparison("r", compare(resp({f"k{i}": 1}), resp({}), CompareRules()))
    assert len(store.summary("r", top=100)[0].top_paths) == 5


def test_secrets_never_reach_the_file(tmp_path):
    path = tmp_path / "state.db"
    store = SqliteDiffStore(path, redact=RedactRules.build(fields=["**.ssn"]))
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
    # even the differences name secret fields: they are redacted too
    result = compare(primary, candidate, CompareRules.build(headers=["set-cookie"],
                                                           builtin_normalizers=False))
    assert {"user.token", "user.ssn", "v"} <= set(result.paths())
    store.record_comparison("login", result, example=ShadowExample(request, primary, candidate,
                                                                   result.differences))
    store.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())  # db, -wal and -shm files
    for secret in secrets:
        assert secret.encode() not in raw, secret
    stored = SqliteDiffStore(path).examples("login")[0].data
    assert stored["request"]["body"] and "ann" in stored["request"]["body"]
    assert stored["target"].endswith("page=1")


def test_several_processes_write_to_one_file(tmp_path):
    path = tmp_path / "shared.db"
    SqliteDiffStore(path).close()
    script = (
        "import sys\n"
        "from strangler_proxy.compare import CompareRules, Comparison\n"
        "from strangler_proxy.diffstore import SqliteDiffStore\n"
        "s = SqliteDiffStore(sys.argv[1])\n"
        "ok = Comparison(match=True, differences=(), body_kind='json')\n"
        "for _ in range(200):\n"
        "    s.record_comparison('r', ok, primary_ms=1.0, candidate_ms=1.0)\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", script, str(path)]) for _ in range(3)]
    assert [p.wait(60) for p in procs] == [0, 0, 0]
    (summary,) = SqliteDiffStore(path).summary("r")
    assert summary.compared == 600 and summary.matched == 600
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
