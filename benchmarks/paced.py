"""Open-loop load at a fixed rate, and the shadow goal's A/B measured with it.

The shadow goal of the proxy issue is about the primary's p99 *below saturation*: at
saturation, copying every request is extra CPU on the same core by construction. A p99 of
sub-millisecond answers is mostly scheduler noise, so one run of each side minutes apart
(what the main table's paced column does) swings by 30 % between runs. ``shadow_ab``
removes what it can of that:

- both proxies (route in stage ``monolith`` and the same route in stage ``shadow``) run at
  the same time, so neither pays for a start-up or a warm cache the other did not;
- their runs alternate A B B A ... so a drift of the machine lands on both sides;
- each side's figure is the median of its runs' p99s, and the per-pair ratios are printed too.

The candidate upstream (the one the shadow copies go to) runs at Linux's idle CPU priority:
on this 2-core machine it stands for a service on a host of its own, and at normal priority
its work on core 1 would delay the load generator and the primary upstream sharing that
core: a cost of the benchmark's one machine, not of the proxy.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["ShadowAB", "diff_summary", "paced_latencies", "paced_p99", "shadow_ab"]


async def _paced(host: str, port: int, rate: float, seconds: float,
                 connections: int = 8) -> list[float]:
    """Open-loop load at ``rate`` req/s.

    A request still waiting for the previous answer on its connection when it was due counts
    from when it was due, so a stall delays the requests behind it (no coordinated omission).
    One that was free but sent late because this generator's timer fired late (the event
    loop's timers have a resolution of about a millisecond) counts from when it was sent:
    that delay is the generator's, not the server's."""
    request = f"GET / HTTP/1.1\r\nhost: {host}:{port}\r\n\r\n".encode()
    latencies: list[float] = []
    interval = connections / rate
    begin = time.perf_counter() + 0.05

    async def one_connection(offset: int) -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            k = 0
            while (due := begin + (offset / connections + k) * interval) < begin + seconds:
                k += 1
                free_at = time.perf_counter()
                await asyncio.sleep(max(due - free_at, 0))
                sent = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = _content_length(head)
                if length:
                    await reader.readexactly(length)
                latencies.append(time.perf_counter() - (due if free_at > due else sent))
        finally:
            writer.close()

    await asyncio.gather(*(one_connection(i) for i in range(connections)))
    return latencies


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


def paced_latencies(url: str, rate: float, seconds: float) -> list[float]:
    """Every request's latency in seconds, sorted."""
    port = int(url.rsplit(":", 1)[1].strip("/"))
    return sorted(asyncio.run(_paced("127.0.0.1", port, rate, seconds)))


def paced_p99(url: str, rate: float, seconds: float) -> float:
    """p99 in ms of one open-loop run at ``rate`` req/s."""
    latencies = paced_latencies(url, rate, seconds)
    return latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] * 1000


@dataclass
class ShadowAB:
    rate: float
    seconds: float
    plain_p99_ms: list[float] = field(default_factory=list)
    shadow_p99_ms: list[float] = field(default_factory=list)
    recorded: str = ""  # what the shadow side's store recorded

    @property
    def ratios(self) -> list[float]:
        return [s / p for p, s in zip(self.plain_p99_ms, self.shadow_p99_ms, strict=True)]

    @property
    def ratio(self) -> float:
        """Median shadow p99 over median pass-through p99: the goal's figure."""
        return statistics.median(self.shadow_p99_ms) / statistics.median(self.plain_p99_ms)

    def report(self) -> str:
        pairs = ", ".join(f"{p:.2f}/{s:.2f}" for p, s in
                          zip(self.plain_p99_ms, self.shadow_p99_ms, strict=True))
        return (f"shadow A/B at {self.rate:g} req/s, {len(self.ratios)} x {self.seconds:g} s "
                f"per side, alternating: p99 pass-through "
                f"{statistics.median(self.plain_p99_ms):.3f} ms, shadow on "
                f"{statistics.median(self.shadow_p99_ms):.3f} ms = {self.ratio:.2f}x "
                f"(goal <= 1.15x); per pair (ms) {pairs}; per-pair ratios median "
                f"{statistics.median(self.ratios):.2f}x; "
                f"shadow store: {self.recorded}")


def shadow_ab(plain_url: str, shadow_url: str, *, rate: float, seconds: float, rounds: int,
              recorded: Callable[[], str]) -> ShadowAB:
    """Alternate paced runs A B B A A B ... on two running proxies; ``rounds`` runs each."""
    result = ShadowAB(rate, seconds)
    for url in (plain_url, shadow_url):  # warm both: pooled connections, caches, the worker
        paced_p99(url, rate, 1.0)
    for index in range(rounds):
        order = [(plain_url, result.plain_p99_ms), (shadow_url, result.shadow_p99_ms)]
        for url, into in (order if index % 2 == 0 else order[::-1]):
            into.append(paced_p99(url, rate, seconds))
    result.recorded = recorded()
    return result


def diff_summary(cli: list[str], routes: str, route: str, cwd: str) -> str:
    """What the routes file's [state] store recorded for ``route`` (``strangler diffs``)."""
    out = subprocess.run([*cli, "diffs", route, "--config", routes, "--format", "json",
                          "--examples", "0"], cwd=cwd, capture_output=True, text=True)
    if out.returncode != 0:
        return f"unreadable ({out.stderr.strip()[:120]})"
    for row in json.loads(out.stdout).get("routes", []):
        if row.get("route") == route:
            return (f"{row['compared']} compared, {row['dropped_overload']} dropped "
                    f"(overload)")
    return "none"
