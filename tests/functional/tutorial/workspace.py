"""A fresh workspace the tutorial's commands run in, and the runner that executes its blocks.

The workspace is a copy of the repository's source (no ``.git``, ``.venv``, ``var/`` or
tests), so a command that migrates, patches or writes a file never touches the repository.
The repository's ``.venv/bin`` comes first on ``PATH`` (``python``, ``strangler``,
``uvicorn``). The documented ports 8000, 8001, 8080 and 8081 are mapped to free ports in
commands, files, URLs and expectations, so the tutorial runs beside a ``make demo``.

Each command runs in ``bash``; its environment and working directory carry over to the next
command, as they would in the reader's terminal (``export``, ``cd``).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.functional.tutorial.markdown import Block

__all__ = ["TutorialFailure", "Workspace", "copy_repository"]

REPO = Path(__file__).resolve().parents[3]
DOC_PORTS = (8000, 8001, 8080, 8081)
COMMAND_TIMEOUT = 180.0
START_TIMEOUT = 60.0
_SKIP = {".git", ".venv", "var", "tests", "benchmarks", "node_modules", ".hypothesis",
         ".pytest_cache", ".mypy_cache", ".ruff_cache", ".import_linter_cache",
         ".strangler-cache", "__pycache__"}
# Set by pytest or the caller's shell; a reader's terminal has none of them.
_NOISE = ("PYTEST_VERSION", "PYTEST_CURRENT_TEST", "PYTEST_XDIST_WORKER",
          "PYTEST_XDIST_WORKER_COUNT", "DJANGO_SETTINGS_MODULE", "DATABASE_URL",
          "DJANGO_DEMO", "STRANGLER_ADMIN_TOKEN", "VIRTUAL_ENV")


class TutorialFailure(AssertionError):
    """A command failed or an expected output is missing; the message names the step."""


def copy_repository(target: Path) -> Path:
    shutil.copytree(REPO, target, ignore=lambda d, names: [n for n in names if n in _SKIP])
    return target


def _free_ports(count: int) -> list[int]:
    socks = [socket.socket() for _ in range(count)]
    try:
        for sock in socks:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in socks]
    finally:
        for sock in socks:
            sock.close()


@dataclass
class _Background:
    name: str
    process: subprocess.Popen[bytes]
    log: Path


@dataclass
class Workspace:
    """Runs blocks in order inside ``root``; ``close()`` stops every background process."""

    root: Path
    scratch: Path  # logs and the shell's saved state, outside the workspace
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    ports: dict[int, int] = field(default_factory=dict)
    background: dict[str, _Background] = field(default_factory=dict)
    transcript: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.scratch.mkdir(parents=True, exist_ok=True)
        self.cwd = self.cwd or self.root
        self.ports = self.ports or dict(zip(DOC_PORTS, _free_ports(len(DOC_PORTS)),
                                            strict=True))
        env = {k: v for k, v in os.environ.items() if k not in _NOISE}
        env["PATH"] = f"{REPO / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        env["PYTHONUNBUFFERED"] = "1"
        self.env = env

    def localise(self, text: str) -> str:
        """The documented ports replaced by this workspace's free ports."""
        return re.sub(r"(?<!\d)(8000|8001|8080|8081)(?!\d)",
                      lambda m: str(self.ports[int(m.group(1))]), text)

    def run(self, block: Block) -> None:
        if block.kind == "file":
            path = self.root / block.path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(self.localise(block.text))
        elif block.kind == "stop":
            self.stop(block.path, block)
        elif block.background:
            self.start(block)
        else:
            self._run_console(block)

    def _run_console(self, block: Block) -> None:
        output: list[str] = []
        for index, command in enumerate(block.commands):
            last = index == len(block.commands) - 1
            code, out = self._shell(self.localise(command), block)
            # A terminal shows the next prompt on a new line; so do the checks.
            output.append(out if out.endswith("\n") or not out else out + "\n")
            self.transcript.append(f"$ {command}\n{out}")
            want = block.expect_exit if last else 0
            if code != want:
                raise TutorialFailure(f"{block.source}: `{command}` exited {code} "
                                      f"(expected {want}):\n{out[-3000:]}")
        combined = "".join(output)
        for pattern in block.expects:
            if re.search(self.localise(pattern), combined, re.MULTILINE) is None:
                raise TutorialFailure(f"{block.source}: expected output /{pattern}/ is "
                                      f"missing; the block printed:\n{combined[-3000:]}")

    def _shell(self, command: str, block: Block) -> tuple[int, str]:
        state = self.scratch / "shell-state"
        # allexport: a plain `NAME=value` persists to the next command, as in a terminal.
        script = (f"set -a\n{command}\n__rc=$?\npwd > {state}.cwd\nenv -0 > {state}.env\n"
                  "exit $__rc\n")
        try:
            done = subprocess.run(["bash", "-c", script], cwd=self.cwd, env=self.env,
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, timeout=COMMAND_TIMEOUT,
                                  start_new_session=True)
        except subprocess.TimeoutExpired as exc:
            raise TutorialFailure(f"{block.source}: `{command}` still running after "
                                  f"{COMMAND_TIMEOUT:.0f} s") from exc
        out = done.stdout.decode(errors="replace")
        if Path(f"{state}.env").exists():
            pairs = Path(f"{state}.env").read_bytes().decode(errors="replace").split("\0")
            self.env = dict(p.split("=", 1) for p in pairs if "=" in p)
            self.cwd = Path(Path(f"{state}.cwd").read_text().strip())
            Path(f"{state}.env").unlink()
        return done.returncode, out

    def start(self, block: Block) -> None:
        name = block.background or ""
        if name in self.background:
            self.stop(name, block)
        log = self.scratch / f"{name}.log"
        handle = log.open("ab")
        process = subprocess.Popen(["bash", "-c", f"exec {self.localise(block.commands[0])}"],
                                   cwd=self.cwd, env=self.env, stdin=subprocess.DEVNULL,
                                   stdout=handle, stderr=subprocess.STDOUT,
                                   process_group=0)
        handle.close()
        self.background[name] = _Background(name, process, log)
        self.transcript.append(f"$ {block.commands[0]}   (in the background: {name})")
        url = self.localise(block.wait_for or "")
        if not url:
            time.sleep(1.0)
            if process.poll() is not None:
                raise TutorialFailure(f"{block.source}: `{block.commands[0]}` exited "
                                      f"{process.returncode}:\n{log.read_text()[-3000:]}")
            return
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise TutorialFailure(f"{block.source}: `{block.commands[0]}` exited "
                                      f"{process.returncode}:\n{log.read_text()[-3000:]}")
            try:
                if httpx.get(url, timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TutorialFailure(f"{block.source}: {url} did not answer 200 within "
                              f"{START_TIMEOUT:.0f} s:\n{log.read_text()[-3000:]}")

    def stop(self, name: str, block: Block | None = None) -> None:
        running = self.background.pop(name, None)
        if running is None:
            where = block.source if block else "stop"
            raise TutorialFailure(f"{where}: no background process named {name!r}")
        _stop_group(running.process)

    def close(self) -> None:
        for name in list(self.background)[::-1]:
            self.stop(name)


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    for signum, wait in ((signal.SIGINT, 10.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, signum)
        except ProcessLookupError:
            break
        try:
            process.wait(wait)
            break
        except subprocess.TimeoutExpired:
            continue
    try:  # whatever the leader left behind in its group
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()
