"""The shadow worker process: replay, compare, learn noise and record, off the proxy's loop.

    python -m strangler_proxy.shadow_worker FD PARENT_PID

Started by :class:`~strangler_proxy.shadow_process.ShadowProcess` (one per proxy worker
process, at its first shadowed request) with one end of a socket pair as ``FD``. Messages
(``shadow_channel`` frames):

- from the proxy: ``("H", hello)`` first (the ``[state]`` store to open, queue size and
  workers, drain timeout, log level, CPU priority); then jobs and drop counts, handled by
  :class:`~strangler_proxy.shadow_runner.JobRunner`; ``("X",)`` asks it to finish the
  queued jobs (within the drain timeout), write what is pending and exit;
- to the proxy: ``("S", figures)`` (offered, dropped, completed, store errors) when they
  changed, at most every ``STATS_INTERVAL_S`` and once at exit; ``("E", failures)`` when
  store writes failed (logged here, rate-limited, and counted on the proxy's metrics);
  ``("F", message)`` when the store cannot be opened, before exiting with status 3.

It never outlives its proxy: end of stream (the proxy is gone) is handled like ``("X",)``,
and the proxy's death also sends it SIGTERM (Linux ``PR_SET_PDEATHSIG``). SIGINT is
ignored: Ctrl-C in a terminal reaches the whole process group, and the proxy stops its
worker itself during its own shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import signal
import socket
import sys
from pathlib import Path
from typing import Any

from strangler_proxy.shadow_channel import encode, read_message

__all__ = ["DEFAULT_PRIORITY", "PRIORITIES", "PRIORITY_ENV", "STATS_INTERVAL_S", "main"]

log = logging.getLogger("strangler_proxy.shadow_worker")
STATS_INTERVAL_S = 0.5
# "idle": Linux SCHED_IDLE, the worker only gets CPU time the proxy does not want, and a
# waking proxy preempts it at once; "low": nice 10; "normal": the proxy's own priority.
PRIORITIES = ("idle", "low", "normal")
DEFAULT_PRIORITY = "idle"
PRIORITY_ENV = "STRANGLER_SHADOW_PRIORITY"
_PR_SET_PDEATHSIG = 1


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    fd, parent = int(args[0]), int(args[1])
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with(parent)
    sock = socket.socket(fileno=fd)
    try:
        import uvloop  # the proxy's own loop when installed (uvicorn[standard])

        factory: Any = uvloop.new_event_loop
    except ImportError:
        factory = None
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(_serve(sock))


def _die_with(parent: int) -> None:
    """Get SIGTERM when the proxy dies (Linux); exit now if it already has."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM))
    if os.getppid() != parent:
        raise SystemExit(0)


def _set_priority(priority: str) -> None:
    try:
        if priority == "idle":
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        elif priority == "low":
            os.nice(10)
    except (OSError, AttributeError) as exc:  # not Linux, or not allowed: normal priority
        log.debug("shadow worker priority %s not applied: %s", priority, exc)


def _configure_logging(level: int) -> None:
    root = logging.getLogger("strangler_proxy")
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(level)


async def _serve(sock: socket.socket) -> int:
    from strangler_proxy.errors import ConfigError
    from strangler_proxy.shadow_runner import JobRunner
    from strangler_proxy.state_factory import open_state

    reader, writer = await asyncio.open_connection(sock=sock)
    hello = await read_message(reader)
    if hello is None or hello[0] != "H":
        return 2
    options: dict[str, Any] = hello[1]
    _configure_logging(options.get("log_level", logging.WARNING))
    _set_priority(options.get("priority", "normal"))
    base = options.get("base_dir")
    try:
        state = open_state(options["store"], base_dir=Path(base) if base else None,
                           **options.get("store_options", {}))
    except (ConfigError, ValueError) as exc:
        log.error("shadow worker cannot open the [state] store: %s", exc)
        writer.write(encode(("F", str(exc))))
        await writer.drain()
        return 3
    runner = JobRunner(state.diffs, queue_size=options["queue_size"],
                       workers=options["workers"])
    runner.queue.store_errors.on_error = lambda _what, failures: writer.write(
        encode(("E", failures)))
    await runner.start()
    reporter = asyncio.create_task(_report(runner, writer))
    try:
        while (message := await read_message(reader)) is not None and message[0] != "X":
            runner.handle(message)
    finally:
        await runner.stop(drain_timeout=float(options.get("drain_timeout", 2.0)))
        reporter.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reporter
        state.close()
    with contextlib.suppress(OSError):
        writer.write(encode(("S", _figures(runner))))
        await writer.drain()
        writer.close()
    return 0


def _figures(runner: Any) -> dict[str, int]:
    queue = runner.queue
    return {"offered": queue.offered, "dropped": queue.dropped, "completed": queue.completed,
            "store_errors": queue.store_errors.count, "pid": os.getpid()}


async def _report(runner: Any, writer: asyncio.StreamWriter) -> None:
    last: dict[str, int] | None = None
    while True:
        figures = _figures(runner)
        if figures != last:
            writer.write(encode(("S", figures)))
            last = figures
        await asyncio.sleep(STATS_INTERVAL_S)


if __name__ == "__main__":
    raise SystemExit(main())
