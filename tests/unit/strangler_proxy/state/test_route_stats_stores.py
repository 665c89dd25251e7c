"""Live route figures, the same on SQLite and PostgreSQL: workers' deltas add up."""

import subprocess
import sys

from strangler_proxy.route_stats import RouteCounters, RouteStats

FLUSHER = """
import sys
from strangler_proxy.route_stats import RouteCounters
from strangler_proxy.state_factory import open_state

stats = open_state(sys.argv[1]).stats
counters = RouteCounters()
for i in range(200):
    counters.count("catalog", service=i % 2 == 0, error=i % 10 == 0)
    counters.count("orders", service=False, error=False)
    if i % 20 == 19:
        stats.add(counters.take())  # about what a worker flushes each second
stats.close()
"""


def test_deltas_add_up_and_read_back(backend):
    stats = backend.open().stats
    assert stats.read() == {}
    stats.add({})  # an idle worker's flush writes nothing
    counters = RouteCounters()
    for service, error in ((True, False), (True, True), (False, True), (False, False)):
        counters.count("catalog", service=service, error=error)
    stats.add(counters.take())
    stats.add({"catalog": RouteStats(requests=2, service_requests=2), "orders": RouteStats(1)})
    totals = backend.open().stats.read()  # another worker reads the same totals
    assert totals == {"catalog": RouteStats(6, 4, 1, 1), "orders": RouteStats(1, 0, 0, 0)}
    assert totals["catalog"].service_error_rate == 0.25
    assert totals["catalog"].monolith_error_rate == 0.5


def test_several_workers_flushing_at_once_lose_nothing(backend):
    backend.open().close()
    procs = [subprocess.Popen([sys.executable, "-c", FLUSHER, backend.url]) for _ in range(3)]
    assert [p.wait(60) for p in procs] == [0, 0, 0]
    totals = backend.open().stats.read()
    assert totals["catalog"] == RouteStats(600, 300, 0, 60)
    assert totals["orders"] == RouteStats(600, 0, 0, 0)
