"""Store failures: every one counted, the log bounded to a line per interval."""

from __future__ import annotations

import logging

import pytest

from strangler_proxy.store_errors import LOG_EVERY_S, StoreErrors


def test_failures_are_counted_and_the_log_is_rate_limited(
        caplog: pytest.LogCaptureFixture) -> None:
    now = [100.0]
    seen: list[tuple[str, int]] = []
    errors = StoreErrors("route_stats", "writing route figures",
                         logger=logging.getLogger("test.store"),
                         on_error=lambda what, n: seen.append((what, n)), clock=lambda: now[0])
    with caplog.at_level(logging.ERROR, logger="test.store"):
        errors.report(ConnectionError("server closed the connection"))
        for _ in range(5):  # within the interval: counted, not logged
            now[0] += 1.0
            errors.report(ConnectionError("server closed the connection"), 2)
        now[0] = 100.0 + LOG_EVERY_S + 1
        errors.report(TimeoutError("still down"))
    assert errors.count == 12
    assert seen == [("route_stats", 1), *[("route_stats", 2)] * 5, ("route_stats", 1)]
    first, second = caplog.records
    assert first.getMessage() == "writing route figures failed; will keep trying"
    assert first.exc_info is not None  # the first one carries its traceback
    assert second.getMessage() == (
        "writing route figures still failing: 11 more failures in 11 s, "
        "last: TimeoutError: still down")
