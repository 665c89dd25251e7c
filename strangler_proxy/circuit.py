"""A passive circuit breaker per upstream, pure apart from the injected clock.

::

    closed --N consecutive failures--> open --cooldown passed--> half_open (one probe)
       ^                                 ^                           |
       +----------- probe succeeds ------+--- probe fails -----------+

Forwarding reports every outcome (``record_success``/``record_failure``); the optional active
health check feeds the same state through ``mark_healthy``/``mark_unhealthy``, so ``/-/ready``
and the metrics see one truth.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

from strangler_proxy.routes import CircuitSettings

__all__ = ["CircuitBreaker", "CircuitState"]

CircuitState = Literal["closed", "open", "half_open"]
STATE_VALUES: dict[str, int] = {"closed": 0, "half_open": 1, "open": 2}


class CircuitBreaker:
    """Tracks one upstream's health; ``allow()`` says whether a request may be sent now."""

    def __init__(self, settings: CircuitSettings,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self._clock = clock
        self.state: CircuitState = "closed"
        self.failures = 0
        self.opened_at = 0.0
        self._probe_in_flight = False
        self._probe_started = 0.0
        self.opened_total = 0

    def allow(self) -> bool:
        """True when a request may go out; in half-open only one probe at a time."""
        if self.state == "closed" or self.settings.failures <= 0:
            return True
        if self.state == "open":
            if self._clock() - self.opened_at < self.settings.cooldown:
                return False
            self.state = "half_open"
            self._probe_in_flight = False
        now = self._clock()
        # A probe whose outcome never came back (client gone) must not wedge the breaker.
        if self._probe_in_flight and now - self._probe_started < self.settings.cooldown:
            return False
        self._probe_in_flight = True
        self._probe_started = now
        return True

    def record_success(self) -> None:
        self.failures = 0
        self._probe_in_flight = False
        self.state = "closed"

    def record_failure(self) -> None:
        self.failures += 1
        self._probe_in_flight = False
        if self.settings.failures <= 0:
            return
        if self.state == "half_open" or self.failures >= self.settings.failures:
            self._open()

    def cancel_probe(self) -> None:
        """The request let through never learned the upstream's health (the client failed)."""
        self._probe_in_flight = False

    def mark_healthy(self) -> None:
        """An active health check passed: close at once, no need to wait for a probe."""
        if self.state != "closed":
            self.record_success()

    def mark_unhealthy(self) -> None:
        """An active health check failed: open at once (requests fail fast or fall back)."""
        self.failures = max(self.failures, self.settings.failures)
        self._probe_in_flight = False
        if self.settings.failures > 0 and self.state != "open":
            self._open()

    def _open(self) -> None:
        if self.state != "open":
            self.opened_total += 1
        self.state = "open"
        self.opened_at = self._clock()
