"""How long the shadow worker's thread waited for a CPU: starved samples are not the candidate's.

The shadow worker runs at idle CPU priority (``shadow_worker``): when the proxy keeps every
core busy, the worker's event loop may wait for a CPU for longer than a candidate needs to
answer. A timeout or a latency measured across such a wait says nothing about the
candidate, and counting it would fail the error-rate and p99 gates of a healthy service. So
the queue reads the thread's run-queue wait (Linux ``/proc/thread-self/schedstat``, second
field, nanoseconds) around each candidate request: when the wait is more than
``STARVED_SHARE`` of the request's time, a timeout is counted as an overload drop. A latency
sample has the wait taken off (the response was there, the worker was not running); only
when the wait is both long (``STARVED_MIN_MS``) and most of the sample is it left out. A
busy machine's ordinary few-ms waits thus still give figures, so the p99 gate can pass.
Where the file does not exist nothing is discounted.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["STARVED_MIN_MS", "STARVED_SHARE", "corrected_latency", "runqueue_wait_ms",
           "starved"]

STARVED_SHARE = 0.25
STARVED_MIN_MS = 20.0
_SCHEDSTAT = Path("/proc/thread-self/schedstat")


def runqueue_wait_ms() -> float | None:
    """Milliseconds this thread has spent runnable but not running; ``None`` if unknown."""
    try:
        return int(_SCHEDSTAT.read_bytes().split()[1]) / 1e6
    except (OSError, IndexError, ValueError):
        return None


def starved(waited_before: float | None, waited_after: float | None, elapsed_ms: float) -> bool:
    """Whether the thread waited for a CPU for more than ``STARVED_SHARE`` of ``elapsed_ms``."""
    if waited_before is None or waited_after is None:
        return False
    return waited_after - waited_before > STARVED_SHARE * elapsed_ms


def corrected_latency(latency_ms: float, waited_before: float | None,
                      waited_after: float | None) -> float | None:
    """The candidate's latency without the worker's own run-queue wait; None when the wait
    was long and most of the sample (it then says nothing about the candidate)."""
    if waited_before is None or waited_after is None:
        return latency_ms
    wait = max(waited_after - waited_before, 0.0)
    if wait > STARVED_MIN_MS and wait > STARVED_SHARE * latency_ms:
        return None
    return max(latency_ms - wait, 0.0)
