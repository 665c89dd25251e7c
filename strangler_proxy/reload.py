"""Hot reload of the routes file: on change (a stat poll) and on SIGHUP.

Every reload validates the whole file first. A valid table is handed to ``apply``, which swaps
it in with one assignment; an invalid one is logged, issue by issue with file and line, and
the old table keeps serving. Requests hold the table they started with, so a swap never
changes a request half-way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Callable
from pathlib import Path

from strangler_proxy.errors import RoutesFileError
from strangler_proxy.routes import RouteTable
from strangler_proxy.routes_file import load_table

__all__ = ["POLL_SECONDS", "Reloader"]

POLL_SECONDS = 0.25

logger = logging.getLogger("strangler_proxy.reload")


class Reloader:
    """Watches one routes file; ``apply`` receives each valid new table."""

    def __init__(self, path: str | Path, apply: Callable[[RouteTable], None], *,
                 on_result: Callable[[bool], None] | None = None, watch: bool = True,
                 debounce_ms: int = 200) -> None:
        self.path = Path(path).resolve()
        self.apply = apply
        self.on_result = on_result
        self.watch = watch
        self.debounce_ms = debounce_ms
        self.last_error: RoutesFileError | None = None
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()
        self._sighup = False

    def reload(self) -> bool:
        """Validate and apply the file now; False (old table kept) when it is invalid."""
        try:
            table = load_table(self.path)
        except RoutesFileError as exc:
            self.last_error = exc
            self._report(False)
            for issue in exc.issues:
                logger.error("routes file rejected, keeping the current table: %s", issue)
            return False
        self.apply(table)
        self.last_error = None
        logger.info("routes file %s reloaded: %d routes", self.path, len(table.routes))
        self._report(True)
        return True

    def _report(self, ok: bool) -> None:
        if self.on_result is not None:
            self.on_result(ok)

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._stop.clear()
        try:
            loop.add_signal_handler(signal.SIGHUP, self._on_sighup)
            self._sighup = True
        except (ValueError, RuntimeError, NotImplementedError, AttributeError):
            # Not the main thread (tests run servers in threads) or no SIGHUP on this platform.
            logger.debug("SIGHUP reload not available in this thread")
        if self.watch:
            self._task = loop.create_task(self._watch(), name="routes-file-watch")

    async def stop(self) -> None:
        self._stop.set()
        if self._sighup:
            with contextlib.suppress(ValueError, RuntimeError):
                asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
            self._sighup = False
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def _on_sighup(self) -> None:
        logger.info("SIGHUP: reloading %s", self.path)
        self.reload()

    async def _watch(self) -> None:
        # A stat poll, not an inotify thread: a thread waking the loop costs every request a
        # little GIL traffic, and a stat every quarter second costs nothing. The path is
        # stat'ed by name, so an editor replacing the file by rename is seen too.
        seen = _signature(self.path)
        while not self._stop.is_set():
            await asyncio.sleep(POLL_SECONDS)
            now = _signature(self.path)
            if now == seen:
                continue
            # Let the writer finish: reload once the file stopped changing for a debounce.
            while True:
                await asyncio.sleep(self.debounce_ms / 1000)
                settled = _signature(self.path)
                if settled == now:
                    break
                now = settled
            seen = now
            if now is not None:
                self.reload()


def _signature(path: Path) -> tuple[int, int, int, int] | None:
    """What changes when the file is written or replaced; None while it is missing."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino
