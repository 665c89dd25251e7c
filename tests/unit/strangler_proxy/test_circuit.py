"""The circuit breaker with a fake clock."""

from __future__ import annotations

from strangler_proxy.circuit import CircuitBreaker
from strangler_proxy.routes import CircuitSettings


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_opens_after_consecutive_failures_and_recovers_through_one_probe() -> None:
    clock = Clock()
    breaker = CircuitBreaker(CircuitSettings(failures=3, cooldown=5), clock)
    for _ in range(2):
        assert breaker.allow()
        breaker.record_failure()
    breaker.record_success()  # resets the count: failures must be consecutive
    for _ in range(3):
        assert breaker.allow()
        breaker.record_failure()
    assert breaker.state == "open"
    assert breaker.opened_total == 1
    assert not breaker.allow()
    clock.now += 5
    assert breaker.allow()  # the half-open probe
    assert breaker.state == "half_open"
    assert not breaker.allow()  # only one probe at a time
    breaker.record_success()
    assert breaker.state == "closed"
    assert breaker.allow()


def test_failed_probe_reopens() -> None:
    clock = Clock()
    breaker = CircuitBreaker(CircuitSettings(failures=1, cooldown=2), clock)
    breaker.record_failure()
    clock.now += 2
    assert breaker.allow()
    breaker.record_failure()
    assert breaker.state == "open"
    assert not breaker.allow()
    assert breaker.opened_total == 2


def test_lost_probe_does_not_wedge_the_breaker() -> None:
    clock = Clock()
    breaker = CircuitBreaker(CircuitSettings(failures=1, cooldown=2), clock)
    breaker.record_failure()
    clock.now += 2
    assert breaker.allow()
    clock.now += 2  # the probe never reported back
    assert breaker.allow()
    breaker.cancel_probe()
    assert breaker.allow()


def test_health_checks_drive_the_same_state() -> None:
    breaker = CircuitBreaker(CircuitSettings(failures=5, cooldown=60), Clock())
    breaker.mark_unhealthy()
    assert breaker.state == "open"
    assert not breaker.allow()
    breaker.mark_healthy()
    assert breaker.state == "closed"
    assert breaker.allow()


def test_zero_failures_disables_the_breaker() -> None:
    breaker = CircuitBreaker(CircuitSettings(failures=0, cooldown=1), Clock())
    for _ in range(10):
        breaker.record_failure()
    assert breaker.state == "closed"
    assert breaker.allow()
