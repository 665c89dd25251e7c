"""``python -m strangler.demo`` end to end: the whole stack starts, answers, and stops cleanly.

The demo runs as users run it (a subprocess with its own children), on free ports and a temp
var directory; the test waits for its ready line, sends traffic through the proxy, then sends
SIGINT and checks that every child it reported (and its process group) is gone.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from strangler.demo.config import DemoConfig
from strangler.demo.prepare import monolith_is_fresh
from strangler.demo.run import READY_PREFIX

REPO = Path(__file__).resolve().parents[2]
STARTUP_DEADLINE = 50.0
STOP_DEADLINE = 20.0


def _free_ports(count: int) -> list[int]:
    socks = [socket.socket() for _ in range(count)]
    try:
        for sock in socks:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in socks]
    finally:
        for sock in socks:
            sock.close()


def _demo_argv(var_dir: Path, ports: list[int]) -> list[str]:
    names = ("monolith", "catalog", "proxy", "admin")
    argv = [sys.executable, "-m", "strangler.demo", "--var-dir", str(var_dir)]
    for name, port in zip(names, ports, strict=True):
        argv += [f"--{name}-port", str(port)]
    return argv


def _lines(stream) -> queue.Queue[str | None]:
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        for line in stream:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return lines


def _wait_for_ready(lines: queue.Queue[str | None], seen: list[str]) -> dict[str, int]:
    deadline = time.monotonic() + STARTUP_DEADLINE
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            break
        if line is None:
            break
        seen.append(line)
        if line.startswith(READY_PREFIX):
            return {name: int(pid) for name, pid in re.findall(r"(\w+)=(\d+)", line)}
    pytest.fail("the demo never printed its ready line:\n" + "".join(seen))


def _wait_for_mismatch(admin: int, token: str) -> str | None:
    url = f"http://127.0.0.1:{admin}/diffs"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        summaries = httpx.get(url, params={"route": "catalog"}, timeout=5,
                              headers={"Authorization": f"Bearer {token}"}).json()
        paths = [p["path"] for s in summaries for p in s["top_paths"]]
        if paths:
            return paths[0]
        time.sleep(0.3)
    return None


def _live_members(pgid: int) -> list[int]:
    """PIDs of the group that are still running (zombies waiting for a reaper are gone)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, group = fields[0], int(fields[2])
        if group == pgid and state not in ("Z", "X"):
            members.append(int(stat.parent.name))
    return members


def _group_alive(pgid: int, wait: float = 5.0) -> bool:
    deadline = time.monotonic() + wait  # SIGKILL is delivered asynchronously
    while _live_members(pgid):
        if time.monotonic() > deadline:
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple]:
    ports = _free_ports(4)
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"}
    process = subprocess.Popen(_demo_argv(tmp_path / "var", ports), cwd=REPO, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seen: list[str] = []
    lines = _lines(process.stdout)
    try:
        pids = _wait_for_ready(lines, seen)
        yield process, lines, pids, ports, seen, tmp_path / "var"
    finally:
        if process.poll() is None:  # the test failed before stopping it: clean up anyway
            process.send_signal(signal.SIGINT)
            try:
                process.wait(STOP_DEADLINE)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        process.stdout.close()


@pytest.mark.slow
def test_demo_serves_through_the_proxy_and_stops_every_child(demo) -> None:
    process, lines, pids, (monolith, catalog, proxy, admin), seen, var_dir = demo
    assert set(pids) == {"monolith", "catalog", "sync", "proxy"}

    marker = f"demo-{uuid.uuid4().hex[:8]}"
    answer = httpx.get(f"http://127.0.0.1:{proxy}/api/catalog/titles/",
                       params={"search": marker}, timeout=10)
    assert answer.status_code == 200
    assert answer.json()["count"] == 0
    page = httpx.get(f"http://127.0.0.1:{proxy}/browse/", timeout=10)
    assert page.status_code == 200 and "<html" in page.text
    # The request went through the proxy to the monolith (shadow stage: the monolith answers).
    assert marker in (var_dir / "demo-logs" / "monolith.log").read_text()
    health = httpx.get(f"http://127.0.0.1:{catalog}/healthz", timeout=5).json()
    assert health == {"status": "ok", "service": "catalog"}
    titles = httpx.get(f"http://127.0.0.1:{catalog}/api/catalog/titles/", timeout=5).json()
    assert titles["count"] == 40  # backfilled from the monolith's small seed
    token = next(line.split()[-1] for line in seen if "admin token (printed once)" in line)
    admin_url = f"http://127.0.0.1:{admin}/routes"
    assert httpx.get(admin_url, timeout=5).status_code == 401  # the token is required
    routes = httpx.get(admin_url, headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert routes.status_code == 200 and "shadow" in routes.text
    # Shadow stage: the API root's anonymous 401 differs in WWW-Authenticate, and the diff
    # reaches the store the dashboard reads (the comparison runs off the response path).
    assert httpx.get(f"http://127.0.0.1:{proxy}/api/catalog/", timeout=10).status_code == 401
    assert _wait_for_mismatch(admin, token) == "header:www-authenticate"
    assert str(monolith) in "".join(seen)

    process.send_signal(signal.SIGINT)
    assert process.wait(STOP_DEADLINE) == 0
    rest = "".join(iter(lambda: lines.get(timeout=5), None))
    assert "demo stopped (monolith" in rest
    for name, pid in pids.items():
        assert not _group_alive(pid), f"{name} (pid {pid}) or its workers outlived the demo"


def test_a_busy_port_is_named_with_what_to_do(tmp_path: Path) -> None:
    ports = _free_ports(4)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", ports[2]))
        busy.listen()
        done = subprocess.run(_demo_argv(tmp_path / "var", ports), cwd=REPO,
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert f"port {ports[2]} on 127.0.0.1 is in use" in done.stderr
    assert "for the proxy" in done.stderr and "--proxy-port N" in done.stderr
    assert not (tmp_path / "var").exists()  # nothing was touched


def test_a_port_given_twice_is_refused(tmp_path: Path) -> None:
    port = _free_ports(1)[0]
    done = subprocess.run(_demo_argv(tmp_path / "var", [port, port, port + 1, port + 2]),
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert f"port {port} is given to both the monolith and the catalog service" in done.stderr


def test_only_a_monolith_without_titles_is_seeded_again(tmp_path: Path) -> None:
    config = DemoConfig(var_dir=tmp_path)
    assert monolith_is_fresh(config)  # no file
    with sqlite3.connect(config.monolith_db) as db:
        db.execute("CREATE TABLE unrelated (id INTEGER)")
    assert monolith_is_fresh(config)  # not migrated
    with sqlite3.connect(config.monolith_db) as db:
        db.execute("CREATE TABLE core_title (id INTEGER)")
    assert monolith_is_fresh(config)  # migrated, never seeded
    with sqlite3.connect(config.monolith_db) as db:
        db.execute("INSERT INTO core_title VALUES (1)")
    assert not monolith_is_fresh(config)  # holds data: keep it


def test_stop_all_reaches_grandchildren_in_each_group(tmp_path: Path) -> None:
    from strangler.demo.children import Children

    children = Children(tmp_path / "logs")
    # A child that ignores SIGTERM and leaves a grandchild in its group: both must go.
    stubborn = children.start("stubborn", [
        "bash", "-c", "trap '' TERM; sleep 300 & echo grandchild $!; wait"], dict(os.environ))
    polite = children.start("polite", [sys.executable, "-c", "import time; time.sleep(300)"],
                            dict(os.environ))
    deadline = time.monotonic() + 10
    while "grandchild" not in (tmp_path / "logs" / "stubborn.log").read_text():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    grandchild = int((tmp_path / "logs" / "stubborn.log").read_text().split()[1])
    assert grandchild in _live_members(stubborn.pid)

    children.stop_all(timeout=1.0)

    assert polite.process.returncode == -signal.SIGTERM
    assert stubborn.process.returncode == -signal.SIGKILL
    for pgid in (stubborn.pid, polite.pid):
        assert not _group_alive(pgid)
    assert grandchild not in _live_members(stubborn.pid)


def test_a_child_that_dies_while_starting_is_reported_with_its_log(tmp_path: Path) -> None:
    from strangler.demo.children import Children
    from strangler.demo.config import DemoError

    children = Children(tmp_path / "logs")
    child = children.start("broken", ["bash", "-c", "echo 'no such settings module'; exit 3"],
                           dict(os.environ), health_url="http://127.0.0.1:9/healthz")
    with pytest.raises(DemoError, match=r"(?s)the broken exited \(code 3\).*no such settings"):
        children.wait_healthy(child, timeout=30)
    children.stop_all(timeout=1.0)
