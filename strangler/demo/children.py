"""Child processes in their own process groups: start, wait until healthy, stop cleanly.

Each child gets ``process_group=0``, so a Ctrl-C in the terminal reaches only the demo, which
then stops the children itself, last started first: SIGTERM to the whole group (uvicorn's
workers and reloaders included), a wait, then SIGKILL for whatever is left. On Linux each
child also asks the kernel for SIGTERM should the demo die without cleaning up
(``PR_SET_PDEATHSIG``), so even a ``kill -9`` of the demo leaves no orphans behind.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from strangler.demo.config import REPO, DemoError

__all__ = ["Child", "Children", "log_tail"]

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return
    try:
        ctypes.CDLL(libc_name, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the demo's own cleanup still applies
        return


def log_tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    health_url: str | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def running(self) -> bool:
        return self.process.poll() is None


@dataclass
class Children:
    """The demo's long-running children, in start order."""

    log_dir: Path
    started: list[Child] = field(default_factory=list)

    def start(self, name: str, argv: Sequence[str], env: dict[str, str],
              health_url: str | None = None) -> Child:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.log_dir / f"{name}.log"
        with log_path.open("ab") as log:  # the child keeps its own copy of the descriptor
            process = subprocess.Popen(
                list(argv), cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, process_group=0, preexec_fn=_die_with_parent)
        child = Child(name, process, log_path, health_url)
        self.started.append(child)
        return child

    def wait_healthy(self, child: Child, timeout: float,
                     probe: Callable[[], bool] | None = None) -> None:
        """Poll the child's health URL (or ``probe``) until it answers 200; fail fast if it dies."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not child.running():
                raise DemoError(f"the {child.name} exited (code {child.process.returncode}) "
                                f"while starting; last lines of {child.log_path}:\n"
                                f"{log_tail(child.log_path)}")
            if (probe or (lambda: _answers_200(child.health_url)))():
                return
            time.sleep(0.2)
        raise DemoError(f"the {child.name} was not healthy within {timeout:.0f} s "
                        f"({child.health_url}); see {child.log_path}:\n{log_tail(child.log_path)}")

    def first_exited(self) -> Child | None:
        return next((child for child in self.started if not child.running()), None)

    def stop_all(self, timeout: float) -> None:
        """SIGTERM each group (last started first), wait up to ``timeout`` s, then SIGKILL."""
        for child in reversed(self.started):
            _signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for child in reversed(self.started):
            while not _exited_unreaped(child) and time.monotonic() < deadline:
                time.sleep(0.05)
            # The leader is a zombie until reaped, so its group id cannot be reused yet:
            # SIGKILL now reaches any grandchild (a uvicorn worker) left in the group.
            _signal_group(child, signal.SIGKILL)
            child.process.wait()


def _exited_unreaped(child: Child) -> bool:
    """True once the child has exited, without reaping it (``WNOWAIT``)."""
    if child.process.returncode is not None:
        return True
    try:
        info = os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return True
    return info is not None


def _signal_group(child: Child, signum: int) -> None:
    try:
        os.killpg(child.pid, signum)  # the group id is the child's pid (process_group=0)
    except (ProcessLookupError, PermissionError):
        return


def _answers_200(url: str | None) -> bool:
    if url is None:
        return True
    try:
        return httpx.get(url, timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False
