"""Several processes on one store lose nothing: counters, caps and stage changes stay exact.

Run on both stores; PostgreSQL is the one meant for proxies on several hosts.
"""

import subprocess
import sys
import time
from collections import Counter

from strangler_proxy.stage_store import POLL_INTERVAL_S
from strangler_proxy.stages import Stage, StageSetting

WRITERS = 3
ROUNDS = 30
# The promise is "within a second" (a 0.5 s poll plus one read); the extra second keeps a
# loaded, shared CI machine from failing it. Speed is measured in benchmarks, not here.
SEEN_WITHIN_S = 2 * POLL_INTERVAL_S + 1.0

WRITER = """
import json, sys
from strangler_proxy.compare import CompareRules, compare
from strangler_proxy.example import ShadowExample
from strangler_proxy.snapshots import RequestSnapshot, ResponseSnapshot
from strangler_proxy.state_factory import open_state

url, me, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
store = open_state(url, max_examples=5, max_paths=25).diffs
H = (("content-type", "application/json"),)
def resp(doc):
    return ResponseSnapshot(status=200, headers=H, body=json.dumps(doc).encode())
same = compare(resp({"a": 1}), resp({"a": 1}), CompareRules())
for i in range(rounds):
    a, b = resp({f"p{me}_{i % 10}": 1}), resp({})
    result = compare(a, b, CompareRules())
    request = RequestSnapshot(method="GET", path=f"/api/r/{me}/{i}")
    store.record_comparison("r", result, primary_ms=5.0, candidate_ms=8.0,
                            example=ShadowExample(request, a, b, result.differences))
    store.record_comparison("r", same, primary_ms=5.0, candidate_ms=8.0)
    store.record_candidate_error("r2", candidate_ms=100.0)
    store.record_drops("r2", overload=2, too_large=1)
store.close()
"""

STAGER = """
import sys
from strangler_proxy.state_factory import open_state

url, me, changes = sys.argv[1], sys.argv[2], int(sys.argv[3])
store = open_state(url).stages
done = refused = 0
while done < changes:
    seen = store.version()
    change = store.set_stage("r", "canary", done % 100, actor=me, reason="race",
                             expect_version=seen)
    done += change.applied
    refused += not change.applied
print(refused)
"""

WATCHER = """
import asyncio, sys
from strangler_proxy.stage_store import StagePoller
from strangler_proxy.state_factory import open_state

store = open_state(sys.argv[1]).stages

def apply(overrides):
    print("SEEN" if "catalog" in overrides else "READY", flush=True)
    if "catalog" in overrides:
        raise SystemExit(0)

asyncio.run(StagePoller(store).run(apply))
"""


def run_all(script, url, count, *args):
    procs = [subprocess.Popen([sys.executable, "-c", script, url, str(n), *map(str, args)],
                              stdout=subprocess.PIPE, text=True) for n in range(count)]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0] * count
    return outputs


def test_concurrent_writers_lose_no_count(backend):
    backend.diffs().close()  # schema first, so the writers only race on rows
    run_all(WRITER, backend.url, WRITERS, ROUNDS)
    store = backend.diffs()
    r, r2 = store.summary()
    total = WRITERS * ROUNDS
    assert (r.compared, r.matched, r.mismatched) == (2 * total, total, total)
    assert r.candidate_requests == 2 * total and r.candidate_errors == 0
    assert (r2.candidate_requests, r2.candidate_errors) == (total, total)
    assert (r2.dropped_overload, r2.dropped_too_large) == (2 * total, total)
    paths = dict(store.summary("r", top=1000)[0].top_paths)
    assert len(paths) == 25  # the bound holds under the race: 30 distinct paths were sent
    # every kept path counts every mismatch on it, from every writer
    assert all(count == ROUNDS // 10 for count in paths.values())
    assert len(store.examples("r", limit=100)) == 5
    assert store.examples("r2") == []


def test_concurrent_stage_changes_are_serialised(backend):
    backend.stages().close()
    refused = run_all(STAGER, backend.url, WRITERS, 10)
    store = backend.stages()
    assert store.version() == WRITERS * 10  # every applied change bumped it exactly once
    audit = store.audit(limit=1000)
    assert len(audit) == WRITERS * 10
    assert len({a.id for a in audit}) == len(audit)
    assert Counter(a.actor for a in audit) == {str(n): 10 for n in range(WRITERS)}
    # each audit entry's "from" is the entry before it: no change was made on a stale read
    chain = list(reversed(audit))
    pairs = zip(chain, chain[1:], strict=False)
    assert all(later.before == earlier.after for earlier, later in pairs)
    assert all(out.strip().isdigit() for out in refused)  # each writer finished its loop


def test_a_stage_change_reaches_a_poller_in_another_process(backend):
    store = backend.stages()
    watcher = subprocess.Popen([sys.executable, "-c", WATCHER, backend.url],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert watcher.stdout is not None
        assert watcher.stdout.readline().strip() == "READY"  # first poll done, nothing set
        store.set_stage("catalog", "service", actor="ops", reason="cut over")
        changed_at = time.monotonic()
        assert watcher.wait(timeout=SEEN_WITHIN_S + 5) == 0
        seen_after = time.monotonic() - changed_at
        assert watcher.stdout.read().strip() == "SEEN"
        assert seen_after < SEEN_WITHIN_S, f"seen after {seen_after:.2f} s"
    finally:
        if watcher.poll() is None:
            watcher.kill()
            watcher.wait()
        if watcher.stdout is not None:
            watcher.stdout.close()
    assert store.current_overrides() == {"catalog": StageSetting(Stage.SERVICE, 100)}
