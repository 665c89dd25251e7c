"""Errors from the ``[state]`` store, counted and logged without flooding the log.

A store that goes away (a PostgreSQL restart, a locked SQLite file) fails every write until
it is back: the background tasks that write (shadow results, route figures, stage polls)
keep running and report each failure here. The first failure is logged with its traceback,
then at most one line per ``LOG_EVERY_S`` saying how many more there were; every failure is
counted (``strangler_proxy_state_errors_total{store=...}`` on ``/-/metrics``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

__all__ = ["LOG_EVERY_S", "StoreErrors"]

LOG_EVERY_S = 10.0


class StoreErrors:
    """Counts and rate-limits the failures of one kind of store write."""

    def __init__(self, what: str, action: str, *, logger: logging.Logger,
                 on_error: Callable[[str, int], None] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.what = what  # the metric label: "shadow", "route_stats", "stages"
        self.action = action  # for the log: "writing shadow results"
        self.count = 0
        self.on_error = on_error  # the app's metrics, set once the app owns this
        self._log = logger
        self._clock = clock
        self._last_logged: float | None = None
        self._suppressed = 0

    def report(self, exc: BaseException, failures: int = 1) -> None:
        """``failures`` writes failed, the last with ``exc``: count them, log if it is time."""
        self.count += failures
        if self.on_error is not None:
            self.on_error(self.what, failures)
        now = self._clock()
        if self._last_logged is not None and now - self._last_logged < LOG_EVERY_S:
            self._suppressed += failures
            return
        if self._last_logged is None:
            self._log.error("%s failed; will keep trying", self.action,
                            exc_info=(type(exc), exc, exc.__traceback__))
        else:
            self._log.error("%s still failing: %d more failures in %.0f s, last: %s: %s",
                            self.action, self._suppressed + failures,
                            now - self._last_logged, type(exc).__name__, exc)
        self._last_logged, self._suppressed = now, 0
