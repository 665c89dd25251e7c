"""Prometheus text exposition, hand-written and cheap: a few dict updates per request.

Series (all prefixed ``strangler_proxy_``)::

    requests_total{route,upstream,status}          counter
    request_duration_seconds{route,upstream}       histogram (le buckets, _sum, _count)
    upstream_errors_total{route,upstream,kind}     counter  (connect, read_timeout, reset, ...)
    circuit_state{upstream}                        gauge    0 closed, 1 half-open, 2 open
    circuit_opened_total{upstream}                 counter
    upstream_in_flight{upstream}                   gauge
    pool{upstream,stat}                            gauge    whatever the pool's stats() reports
    reloads_total{result}                          counter  ok | error
    state_errors_total{store}                      counter  failed [state] writes/reads
                                                            (shadow, route_stats, stages)
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from typing import Any

from strangler_proxy.circuit import STATE_VALUES

__all__ = ["BUCKETS", "Metrics"]

BUCKETS: tuple[float, ...] = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
                              2.5, 5.0, 10.0, 30.0)
PREFIX = "strangler_proxy_"


class Metrics:
    """Counters for one process; ``render`` produces the text format."""

    def __init__(self) -> None:
        self.requests: dict[tuple[str, str, int], int] = {}
        # (route, upstream) -> [bucket counts..., +Inf count, sum]
        self.latency: dict[tuple[str, str], list[float]] = {}
        self.errors: dict[tuple[str, str, str], int] = {}
        self.reloads: dict[str, int] = {"ok": 0, "error": 0}
        self.state_errors: dict[str, int] = {}
        self.relayed = 0  # requests the fast path (strangler_proxy.relay) answered

    def observe(self, route: str, upstream: str, status: int, seconds: float) -> None:
        key = (route, upstream, status)
        self.requests[key] = self.requests.get(key, 0) + 1
        series = self.latency.get((route, upstream))
        if series is None:
            series = self.latency[(route, upstream)] = [0.0] * (len(BUCKETS) + 2)
        series[bisect_left(BUCKETS, seconds)] += 1
        series[-1] += seconds

    def error(self, route: str, upstream: str, kind: str) -> None:
        key = (route, upstream, kind)
        self.errors[key] = self.errors.get(key, 0) + 1

    def state_error(self, store: str, count: int = 1) -> None:
        """``count`` failed ``[state]`` store operations of kind ``store``."""
        self.state_errors[store] = self.state_errors.get(store, 0) + count

    def reload(self, ok: bool) -> None:
        self.reloads["ok" if ok else "error"] += 1

    def render(self, upstreams: Iterable[Any] = ()) -> str:
        """The exposition text; ``upstreams`` are ``Upstream`` objects (breaker, pool)."""
        out: list[str] = []
        p = PREFIX
        out += [f"# HELP {p}requests_total Requests answered, by route, upstream and status.",
                f"# TYPE {p}requests_total counter"]
        for (route, upstream, status), count in sorted(self.requests.items()):
            out.append(f'{p}requests_total{{route="{_esc(route)}",upstream="{_esc(upstream)}",'
                       f'status="{status}"}} {count}')
        out += [f"# HELP {p}request_duration_seconds Time to the last byte of the response.",
                f"# TYPE {p}request_duration_seconds histogram"]
        for (route, upstream), series in sorted(self.latency.items()):
            labels = f'route="{_esc(route)}",upstream="{_esc(upstream)}"'
            running = 0.0
            for bound, hits in zip(BUCKETS, series, strict=False):
                running += hits
                out.append(f'{p}request_duration_seconds_bucket{{{labels},le="{bound}"}} '
                           f'{int(running)}')
            total = int(running + series[len(BUCKETS)])
            out.append(f'{p}request_duration_seconds_bucket{{{labels},le="+Inf"}} {total}')
            out.append(f"{p}request_duration_seconds_sum{{{labels}}} {series[-1]:.6f}")
            out.append(f"{p}request_duration_seconds_count{{{labels}}} {total}")
        out += [f"# HELP {p}upstream_errors_total Failed upstream attempts, by kind.",
                f"# TYPE {p}upstream_errors_total counter"]
        for (route, upstream, kind), count in sorted(self.errors.items()):
            out.append(f'{p}upstream_errors_total{{route="{_esc(route)}",'
                       f'upstream="{_esc(upstream)}",kind="{kind}"}} {count}')
        out += _upstream_lines(list(upstreams))
        out += [f"# HELP {p}relayed_requests_total Requests answered on the fast path "
                "(bodyless pass-through, no ASGI).",
                f"# TYPE {p}relayed_requests_total counter", f"{p}relayed_requests_total "
                f"{self.relayed}"]
        out += [f"# HELP {p}reloads_total Route table reloads, by result.",
                f"# TYPE {p}reloads_total counter"]
        for result, count in sorted(self.reloads.items()):
            out.append(f'{p}reloads_total{{result="{result}"}} {count}')
        out += [f"# HELP {p}state_errors_total Failed [state] store operations, by store.",
                f"# TYPE {p}state_errors_total counter"]
        for store, count in sorted(self.state_errors.items()):
            out.append(f'{p}state_errors_total{{store="{_esc(store)}"}} {count}')
        return "\n".join(out) + "\n"


def _upstream_lines(upstreams: list[Any]) -> list[str]:
    p = PREFIX
    out = [f"# HELP {p}circuit_state Circuit breaker: 0 closed, 1 half-open, 2 open.",
           f"# TYPE {p}circuit_state gauge"]
    out += [f'{p}circuit_state{{upstream="{_esc(u.name)}"}} {STATE_VALUES[u.breaker.state]}'
            for u in upstreams]
    out += [f"# HELP {p}circuit_opened_total Times the circuit opened.",
            f"# TYPE {p}circuit_opened_total counter"]
    out += [f'{p}circuit_opened_total{{upstream="{_esc(u.name)}"}} {u.breaker.opened_total}'
            for u in upstreams]
    out += [f"# HELP {p}upstream_in_flight Requests being forwarded now.",
            f"# TYPE {p}upstream_in_flight gauge"]
    out += [f'{p}upstream_in_flight{{upstream="{_esc(u.name)}"}} {u.in_flight}'
            for u in upstreams]
    out += [f"# HELP {p}pool Upstream connection pool statistics.", f"# TYPE {p}pool gauge"]
    for upstream in upstreams:
        stats = upstream.pool.stats() if hasattr(upstream.pool, "stats") else {}
        for stat, value in sorted(stats.items()):
            if isinstance(value, int | float) and not isinstance(value, bool):
                out.append(f'{p}pool{{upstream="{_esc(upstream.name)}",stat="{stat}"}} {value}')
    return out


def _esc(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
