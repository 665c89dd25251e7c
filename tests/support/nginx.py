"""Run the real nginx on an exported standalone config, on loopback, for tests.

::

    with nginx_running(conf_dir) as base_url:   # nginx -p conf_dir -c conf_dir/nginx.conf
        httpx.get(base_url + "/api/catalog/")

``NGINX`` is the binary (``None`` when nginx is not installed: tests skip with that reason).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

__all__ = ["NGINX", "free_port", "nginx_running", "nginx_test"]

NGINX = shutil.which("nginx") or next(
    (p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def free_port() -> int:
    """A port nothing listens on right now (nginx binds it itself)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _globals() -> str:
    # Run in the foreground so the test owns the process; as root, keep workers as root so
    # they can use the temp directory the test made (nginx would switch to 'nobody').
    return "daemon off;" + (" user root;" if os.geteuid() == 0 else "")


def nginx_test(conf_dir: Path) -> subprocess.CompletedProcess[str]:
    """``nginx -t`` on the config in ``conf_dir``."""
    assert NGINX is not None
    return subprocess.run([NGINX, "-t", "-q", "-p", str(conf_dir), "-c",
                           str(conf_dir / "nginx.conf"), "-g", _globals()],
                          capture_output=True, text=True, timeout=30, check=False)


@contextlib.contextmanager
def nginx_running(conf_dir: Path, port: int) -> Iterator[str]:
    assert NGINX is not None
    process = subprocess.Popen([NGINX, "-p", str(conf_dir), "-c", str(conf_dir / "nginx.conf"),
                                "-g", _globals()], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 10
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"nginx exited: {process.stdout.read() if process.stdout else ''}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            if time.monotonic() > deadline:
                raise RuntimeError("nginx did not start listening within 10 s")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()  # SIGTERM: fast shutdown of master and workers
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        if process.stdout is not None:
            process.stdout.close()
