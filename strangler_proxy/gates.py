"""Promotion gates and the automatic-rollback rule: pure decisions over figures.

A promotion out of ``shadow`` or ``canary`` must pass every gate; a failing gate is a
result (the report says which and by how much), not an exception. Leaving ``monolith``
needs no figures: shadowing is what produces them.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from strangler_proxy.stages import Stage


@dataclass(frozen=True, slots=True, kw_only=True)
class Gates:
    min_compared: int = 100
    min_match_rate: float = 0.99
    max_candidate_error_rate: float = 0.01
    max_p99_ratio: float = 1.5  # candidate p99 / primary p99


@dataclass(frozen=True, slots=True, kw_only=True)
class GateFigures:
    """What a route measured; rates are computed here so zero counts stay explicit."""

    compared: int
    matched: int
    candidate_requests: int
    candidate_errors: int
    primary_p99_ms: float | None
    candidate_p99_ms: float | None


@dataclass(frozen=True, slots=True)
class GateResult:
    name: str
    passed: bool
    actual: float | None
    threshold: float
    detail: str


@dataclass(frozen=True, slots=True)
class GateReport:
    passed: bool
    results: tuple[GateResult, ...]

    def failed(self) -> tuple[GateResult, ...]:
        return tuple(r for r in self.results if not r.passed)


def needs_gates(stage: Stage) -> bool:
    """Promotions out of ``shadow`` and ``canary`` are gated; out of ``monolith`` not."""
    return stage in (Stage.SHADOW, Stage.CANARY)


def evaluate(gates: Gates, figures: GateFigures) -> GateReport:
    """Every gate with pass/fail and its numbers."""
    results = [
        GateResult("min_compared", figures.compared >= gates.min_compared,
                   float(figures.compared), float(gates.min_compared),
                   f"{figures.compared} compared, need {gates.min_compared}"),
    ]
    match_rate = figures.matched / figures.compared if figures.compared else None
    results.append(GateResult(
        "min_match_rate", match_rate is not None and match_rate >= gates.min_match_rate,
        match_rate, gates.min_match_rate,
        "nothing compared yet" if match_rate is None
        else f"match rate {match_rate:.2%}, need {gates.min_match_rate:.2%}"))
    error_rate = (figures.candidate_errors / figures.candidate_requests
                  if figures.candidate_requests else None)
    results.append(GateResult(
        "max_candidate_error_rate",
        error_rate is not None and error_rate <= gates.max_candidate_error_rate,
        error_rate, gates.max_candidate_error_rate,
        "no candidate requests yet" if error_rate is None
        else f"candidate error rate {error_rate:.2%}, allowed {gates.max_candidate_error_rate:.2%}"))
    ratio = None
    if figures.primary_p99_ms and figures.candidate_p99_ms is not None:
        ratio = figures.candidate_p99_ms / figures.primary_p99_ms
    results.append(GateResult(
        "max_p99_ratio", ratio is not None and ratio <= gates.max_p99_ratio,
        ratio, gates.max_p99_ratio,
        "no latency figures yet" if ratio is None
        else f"candidate p99 {figures.candidate_p99_ms:.1f} ms is {ratio:.2f}x the primary's "
             f"{figures.primary_p99_ms:.1f} ms, allowed {gates.max_p99_ratio:.2f}x"))
    return GateReport(all(r.passed for r in results), tuple(results))


@dataclass(frozen=True, slots=True, kw_only=True)
class AutoRollback:
    """Roll a canary back when its error rate over the last ``window_seconds`` is over budget."""

    enabled: bool = False
    error_budget: float = 0.05
    window_seconds: float = 60.0
    min_requests: int = 20  # a handful of early errors is not a verdict


@dataclass(frozen=True, slots=True)
class RollbackDecision:
    rollback: bool
    reason: str


def should_roll_back(rule: AutoRollback, requests: int, errors: int) -> RollbackDecision:
    """Decide from the canary's counts inside the window."""
    if not rule.enabled:
        return RollbackDecision(False, "automatic rollback is off")
    if requests < rule.min_requests:
        return RollbackDecision(False, f"{requests} requests in window, need {rule.min_requests}")
    rate = errors / requests
    if rate > rule.error_budget:
        return RollbackDecision(True, f"canary error rate {rate:.2%} over budget "
                                      f"{rule.error_budget:.2%} ({errors}/{requests})")
    return RollbackDecision(False, f"canary error rate {rate:.2%} within budget")


class ErrorWindow:
    """Counts of canary requests and errors over a sliding window, in one-second slots.

    The clock is passed in (``now`` in seconds) so the window is deterministic to test.
    """

    def __init__(self, window_seconds: float) -> None:
        self._span = max(int(window_seconds), 1)
        self._slots: deque[list[int]] = deque()  # [second, requests, errors]

    def add(self, now: float, error: bool) -> None:
        second = int(now)
        if self._slots and self._slots[-1][0] == second:
            slot = self._slots[-1]
        else:
            slot = [second, 0, 0]
            self._slots.append(slot)
        slot[1] += 1
        slot[2] += int(error)
        self._expire(second)

    def counts(self, now: float) -> tuple[int, int]:
        """``(requests, errors)`` inside the window ending at ``now``."""
        self._expire(int(now))
        return sum(s[1] for s in self._slots), sum(s[2] for s in self._slots)

    def _expire(self, second: int) -> None:
        while self._slots and self._slots[0][0] <= second - self._span:
            self._slots.popleft()
