"""The proxy's side of its shadow worker process: start, feed, watch, restart, stop.

One :class:`ShadowProcess` per proxy worker. It starts the worker
(``python -m strangler_proxy.shadow_worker``) on the first message, so a proxy that shadows
nothing runs no extra process. :meth:`ShadowProcess.send` is a pickle and one non-blocking
socket write (``shadow_channel.ChannelWriter``): ``False`` when the channel is full, the
worker is restarting or shadowing is off; the caller drops and counts.

A worker that exits unexpectedly (crash, OOM kill) is seen at once (end of stream on the
socket), logged, and started again after ``RESTART_DELAY_S``; after ``max_restarts``
unexpected exits within ``restart_window`` seconds, or when the worker reports that it
cannot open the store, shadowing is switched off for this proxy worker (``state`` is
``"off"`` and ``reason`` says why, logged as an error); the proxy itself carries on.
:meth:`ShadowProcess.stop` asks the worker to drain, waits, then terminates and kills it:
no orphan is left.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from strangler_proxy.routes import RouteTable
from strangler_proxy.shadow_channel import ChannelWriter, FrameReader, encode
from strangler_proxy.shadow_worker import DEFAULT_PRIORITY, PRIORITIES, PRIORITY_ENV
from strangler_proxy.state import DEFAULT_STORE

__all__ = ["CHANNEL_BYTES", "ShadowProcess", "StoreLocation", "worker_priority"]

log = logging.getLogger(__name__)
CHANNEL_BYTES = 4 * 1024 * 1024  # kernel socket buffer; as much again may wait in the outbox
RESTART_DELAY_S = 0.5
STARTUP_GRACE_S = 5.0  # a worker stopped while still importing needs this on top of draining
_PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent)


@dataclass(frozen=True, slots=True)
class StoreLocation:
    """How another process opens the same ``[state]`` store (``state.open_stores``'s way)."""

    url: str
    base_dir: str | None
    options: dict[str, int]

    @classmethod
    def of(cls, table: RouteTable) -> StoreLocation | None:
        """The table's store; ``None`` for an in-memory SQLite one (this process only)."""
        base = Path(table.source).resolve().parent if table.source else Path.cwd()
        url = table.state_store or DEFAULT_STORE
        if "://" not in url:
            url = "sqlite:///" + url
        if url.startswith("sqlite:") and ":memory:" in url:
            return None
        return cls(url, str(base), {"max_examples": table.state.examples_per_route,
                                    "max_example_bytes": table.state.example_max_bytes})


def worker_priority(given: str | None) -> str:
    """``given``, else ``$STRANGLER_SHADOW_PRIORITY``, else the default; checked."""
    chosen = given or os.environ.get(PRIORITY_ENV, "").strip().lower() or DEFAULT_PRIORITY
    if chosen not in PRIORITIES:
        source = "the caller" if given else PRIORITY_ENV
        raise ValueError(f"shadow worker priority {chosen!r} (from {source}): "
                         f"use one of {', '.join(PRIORITIES)}")
    return chosen


class ShadowProcess:
    """Supervises one shadow worker; use it from the proxy's event loop thread only."""

    def __init__(self, hello: dict[str, Any], *,
                 on_figures: Callable[[dict[str, int]], None],
                 on_store_errors: Callable[[int], None],
                 max_pending_bytes: int = CHANNEL_BYTES, max_restarts: int = 5,
                 restart_window: float = 60.0) -> None:
        self._hello = hello
        self._on_figures = on_figures
        self._on_store_errors = on_store_errors
        self._max_pending = max_pending_bytes
        self._max_restarts = max_restarts
        self._window = restart_window
        self.state = "idle"  # idle | running | restarting | off | stopped
        self.reason = ""  # why shadowing is off
        self.restarts = 0
        self._exits: list[float] = []  # monotonic times of unexpected exits
        self._proc: subprocess.Popen[bytes] | None = None
        self._sock: socket.socket | None = None
        self._writer: ChannelWriter | None = None
        self._frames = FrameReader()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None
        self.on_restart: Callable[[], None] | None = None  # numbered configs must be resent

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None and self.state == "running" else None

    @property
    def accepting(self) -> bool:
        """Whether a job sent now could be taken (checked before building one)."""
        if self.state == "idle":
            return True
        writer = self._writer
        return self.state == "running" and writer is not None and not writer.full

    def send(self, message: tuple[Any, ...], *, force: bool = False) -> bool:
        """Hand ``message`` to the worker without waiting; ``False`` when it cannot be.

        ``force`` queues it even past the channel's bound (small control messages)."""
        if self.state == "idle":
            self._spawn()
        writer = self._writer
        if self.state != "running" or writer is None or (writer.full and not force):
            return False
        return writer.send(encode(message), force=force)

    # -- the process ------------------------------------------------------------------------
    def _spawn(self) -> None:
        self._loop = asyncio.get_running_loop()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, CHANNEL_BYTES)
            theirs.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, CHANNEL_BYTES)
            path = os.environ.get("PYTHONPATH")
            env = dict(os.environ, PYTHONPATH=_PACKAGE_ROOT + (os.pathsep + path if path else ""))
            # Started from the loop's thread on purpose: PR_SET_PDEATHSIG follows the thread
            # that forked, and this one lives as long as the proxy serves.
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "strangler_proxy.shadow_worker", str(theirs.fileno()),
                 str(os.getpid())], pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL,
                env=env)
        except OSError as exc:
            ours.close()
            self._off(f"cannot start the shadow worker: {exc}")
            return
        finally:
            theirs.close()
        ours.setblocking(False)
        self._sock, self._frames = ours, FrameReader()
        self._writer = ChannelWriter(ours, self._loop, max_pending_bytes=self._max_pending)
        self._writer.send(encode(("H", self._hello)), force=True)
        self._loop.add_reader(ours, self._readable)
        self.state = "running"
        log.debug("shadow worker started (pid %d)", self._proc.pid)

    def _readable(self) -> None:
        sock = self._sock
        if sock is None:
            return
        try:
            data = sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._lost()
            return
        for message in self._frames.feed(data):
            kind = message[0]
            if kind == "S":
                self._on_figures(message[1])
            elif kind == "E":
                self._on_store_errors(int(message[1]))
            elif kind == "F":
                self.reason = f"the shadow worker cannot open the [state] store: {message[1]}"

    def _close_channel(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._sock is not None:
            if self._loop is not None:
                self._loop.remove_reader(self._sock)
            self._sock.close()
            self._sock = None

    def _lost(self) -> None:
        """End of stream while running: the worker died; restart it or switch off."""
        self._close_channel()
        proc = self._proc
        code = _reap(proc) if proc is not None else None
        if self.state != "running":
            return
        now = time.monotonic()
        self._exits = [t for t in self._exits if now - t < self._window] + [now]
        if self.reason:  # it told us why: a restart would fail the same way
            self._off(self.reason)
        elif len(self._exits) > self._max_restarts:
            self._off(f"the shadow worker exited {len(self._exits)} times in "
                      f"{self._window:g} s (last status {code})")
        else:
            log.error("shadow worker (pid %s) exited with status %s; restarting it",
                      proc.pid if proc else "?", code)
            self.state = "restarting"
            assert self._loop is not None
            self._timer = self._loop.call_later(RESTART_DELAY_S, self._respawn)

    def _respawn(self) -> None:
        self._timer = None
        if self.state != "restarting":
            return
        self.restarts += 1
        if self.on_restart is not None:
            self.on_restart()
        self._spawn()

    def _off(self, reason: str) -> None:
        self.state, self.reason = "off", reason
        log.error("shadowing is off for this proxy worker: %s", reason)

    async def stop(self, *, drain_timeout: float) -> None:
        """Let the worker finish its queue (``drain_timeout``), then make sure it is gone."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        was_running = self.state == "running"
        self.state = "stopped" if self.state != "off" else "off"
        proc = self._proc
        if proc is None:
            return
        if was_running and self._writer is not None:
            self._writer.send(encode(("X",)), force=True)
        deadline = time.monotonic() + drain_timeout + STARTUP_GRACE_S
        while proc.poll() is None and time.monotonic() < deadline:
            await asyncio.sleep(0.02)  # the outbox and the last figures flow meanwhile
        if proc.poll() is None:
            log.warning("shadow worker (pid %d) did not stop in time; terminating it", proc.pid)
            proc.terminate()
            try:
                await asyncio.to_thread(proc.wait, 1.0)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self._sock is not None:
            self._readable_rest()
        self._close_channel()
        self._proc = None

    def _readable_rest(self) -> None:
        """Read the last figures the worker wrote before exiting."""
        sock = self._sock
        assert sock is not None
        while True:
            try:
                data = sock.recv(65536)
            except OSError:
                return
            if not data:
                return
            for message in self._frames.feed(data):
                if message[0] == "S":
                    self._on_figures(message[1])
                elif message[0] == "E":
                    self._on_store_errors(int(message[1]))


def _reap(proc: subprocess.Popen[bytes]) -> int | None:
    """The exit status of a worker whose socket closed (it is exiting or gone)."""
    try:
        return proc.wait(0.5)
    except subprocess.TimeoutExpired:  # closed its socket but lingers: make sure
        proc.kill()
        return proc.wait()
