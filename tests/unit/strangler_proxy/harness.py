"""Shared pieces for the proxy tests: routes files and the real proxy served by uvicorn."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from strangler_proxy.app import ProxyApp, create_app
from strangler_proxy.serve import UVICORN_OPTIONS, HttpServerProtocol
from tests.support.servers import RunningServer, running

ROOT = Path(__file__).resolve().parents[3]


def routes_text(upstreams: dict[str, str], routes: str = "", *, default: str = "monolith",
                extra: str = "", upstream_extra: dict[str, str] | None = None) -> str:
    """A routes TOML: ``upstreams`` name -> url, then raw ``routes``/``extra`` TOML text."""
    parts = [f'default = "{default}"']
    for name, url in upstreams.items():
        parts.append(f'[upstreams.{name}]\nurl = "{url}"')
        if upstream_extra and name in upstream_extra:
            parts.append(textwrap.dedent(upstream_extra[name]).strip())
    parts.append(textwrap.dedent(extra).strip())
    parts.append(textwrap.dedent(routes).strip())
    return "\n".join(p for p in parts if p) + "\n"


def write_routes(path: Path, *args: Any, **kwargs: Any) -> Path:
    path.write_text(routes_text(*args, **kwargs), encoding="utf-8")
    return path


@contextlib.contextmanager
def serving_proxy(config: Path, **app_options: Any) -> Iterator[tuple[RunningServer, ProxyApp]]:
    """The real proxy app for ``config`` under uvicorn in a thread, as ``serve`` runs it."""
    app = create_app(config, **app_options)
    options = dict(UVICORN_OPTIONS, timeout_graceful_shutdown=5)
    with running(app, http=HttpServerProtocol, **options) as server:
        yield server, app


@contextlib.contextmanager
def proxy_logging_to(upstream_url: str, tmp: Path, extra: str
                     ) -> Iterator[tuple[RunningServer, io.StringIO]]:
    """The proxy in front of one "monolith" upstream with ``extra`` TOML (a ``[proxy]``
    table, say), its access lines collected in the yielded stream."""
    config = write_routes(tmp / "r.toml", {"monolith": upstream_url}, extra=extra)
    access = io.StringIO()
    with serving_proxy(config, watch=False, access_stream=access) as (server, _):
        yield server, access


@dataclass
class ProxyProcess:
    url: str
    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)  # its output, read by a thread

    def wait_for_line(self, needle: str, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if needle in line:
                    return line
            time.sleep(0.02)
        raise AssertionError(f"no output line with {needle!r}:\n" + "".join(self.lines))


@contextlib.contextmanager
def proxy_process(config: Path, *extra: str) -> Iterator[ProxyProcess]:
    """``strangler proxy serve`` in a subprocess on a free port, ready when yielded."""
    port = _free_port()
    command = [sys.executable, "-m", "strangler", "proxy", "serve", "--config", str(config),
               "--port", str(port), *extra]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    running_proxy = ProxyProcess(f"http://127.0.0.1:{port}", process)
    reader = threading.Thread(target=_drain, args=(process, running_proxy.lines), daemon=True)
    reader.start()
    try:
        _wait_until_healthy(running_proxy)
        yield running_proxy
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        reader.join(timeout=5)
        if process.stdout is not None:
            process.stdout.close()


def _free_port() -> int:
    # The port is free when read back; the proxy binds it a moment later.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _drain(process: subprocess.Popen[str], lines: list[str]) -> None:
    assert process.stdout is not None
    with contextlib.suppress(ValueError, OSError):
        for line in process.stdout:
            lines.append(line)


def _wait_until_healthy(proxy: ProxyProcess) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and proxy.process.poll() is None:
        try:
            if httpx.get(proxy.url + "/-/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError("proxy did not start:\n" + "".join(proxy.lines))
