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

The file is read twice per shadow copy, so each thread keeps it open and re-reads it with
one ``pread`` (a /proc seq file regenerates at offset 0): ~1 us instead of ~14 us for an
open/read/close, and two syscalls fewer on the core the worker shares with the proxy.
"""

from __future__ import annotations

import os
import threading

__all__ = ["STARVED_MIN_MS", "STARVED_SHARE", "corrected_latency", "runqueue_wait_ms",
           "starved"]

STARVED_SHARE = 0.25
STARVED_MIN_MS = 20.0
_SCHEDSTAT = "/proc/thread-self/schedstat"


class _ThreadFile:
    """This thread's schedstat, kept open; closed when the thread (its local) goes away.
    The descriptor names the thread that opened it, so a forked child opens its own."""

    __slots__ = ("fd", "pid")

    def __init__(self) -> None:
        self.pid = os.getpid()
        try:
            self.fd = os.open(_SCHEDSTAT, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            self.fd = -1

    def __del__(self) -> None:
        if self.fd >= 0 and self.pid == os.getpid():
            os.close(self.fd)


_local = threading.local()


def runqueue_wait_ms() -> float | None:
    """Milliseconds this thread has spent runnable but not running; ``None`` if unknown."""
    file: _ThreadFile | None = getattr(_local, "file", None)
    if file is None or file.pid != os.getpid():
        file = _local.file = _ThreadFile()
    if file.fd < 0:
        return None
    try:
        return int(os.pread(file.fd, 64, 0).split()[1]) / 1e6
    except (OSError, IndexError, ValueError):
        return None


def starved(waited_before: float | None, waited_after: float | None, elapsed_ms: float) -> bool:
    """Whether the thread waited for a CPU for more than ``STARVED_SHARE`` of ``elapsed_ms``."""
    if waited_before is None or waited_after is None:
        return False
    return waited_after - waited_before > STARVED_SHARE * elapsed_ms


def corrected_latency(latency_ms: float | None, waited_before: float | None,
                      waited_after: float | None) -> float | None:
    """The candidate's latency without the worker's own run-queue wait; None when the wait
    was long and most of the sample (it then says nothing about the candidate), or when the
    sender measured no latency (``ResponseSnapshot.latency_ms`` is optional)."""
    if latency_ms is None or waited_before is None or waited_after is None:
        return latency_ms
    wait = max(waited_after - waited_before, 0.0)
    if wait > STARVED_MIN_MS and wait > STARVED_SHARE * latency_ms:
        return None
    return max(latency_ms - wait, 0.0)
