"""The control CLI and the admin listener against a real ``strangler proxy serve --workers 2``.

One proxy subprocess for the module (two uvicorn workers, the admin listener in the parent),
real upstreams in threads, the real state file; the CLI runs in-process with CliRunner and
reaches the proxy over HTTP like an operator's shell would.
"""

from __future__ import annotations

import json
import shutil
import socket
import struct
import subprocess
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from strangler.cli import cli
from tests.support.differing import DifferingApp
from tests.support.servers import running
from tests.unit.strangler_proxy.harness import ProxyProcess, proxy_process, write_routes

TOKEN = "cli-test-admin-token-3a9f1c"
ROUTES = """
[[routes]]
name = "catalog"
path = "/api/catalog/"
upstream = "service"
stage = "service"

[[routes]]
name = "same"
path = "/api/same/"
upstream = "service"
stage = "shadow"
[routes.gates]
min_compared = 5
min_match_rate = 0.9
max_candidate_error_rate = 0.1
max_p99_ratio = 20.0
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[tuple[ProxyProcess, Path, str]]:
    folder = tmp_path_factory.mktemp("control")
    admin_port = _free_port()
    with running(DifferingApp("monolith")) as mono, running(DifferingApp("service")) as svc, \
            pytest.MonkeyPatch.context() as patch:
        patch.setenv("STRANGLER_ADMIN_TOKEN", TOKEN)
        # The gates need the candidate's latency; at idle priority on a CI machine whose cores
        # the test run keeps busy, the shadow worker's samples are discounted as starved.
        patch.setenv("STRANGLER_SHADOW_PRIORITY", "normal")
        config = write_routes(folder / "routes.toml", {"monolith": mono.url, "service": svc.url},
                              ROUTES, extra=f'[admin]\nlisten = "127.0.0.1:{admin_port}"\n'
                                            "[proxy]\naccess_log = false")
        with proxy_process(config, "--workers", "2") as proxy:
            admin = f"http://127.0.0.1:{admin_port}"
            _wait_for_admin(admin)
            yield proxy, config, admin


def _wait_for_admin(url: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(url + "/routes", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError("the admin listener did not come up")


def _cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def _sides(url: str, count: int) -> list[str]:
    # a fresh connection per request, so both workers answer some of them
    with httpx.Client(limits=httpx.Limits(max_keepalive_connections=0)) as fresh:
        return [fresh.get(url + f"/api/catalog/{i}").json()["side"] for i in range(count)]


def test_rollback_reaches_every_worker_within_a_second(
        deployment: tuple[ProxyProcess, Path, str]) -> None:
    proxy, config, _ = deployment
    assert set(_sides(proxy.url, 10)) == {"service"}
    code, out, err = _cli("route", "rollback", "catalog", "--reason", "test", "--config",
                          str(config))
    assert code == 0, err
    assert "catalog: service -> monolith" in out
    time.sleep(1.0)  # the promise: every worker follows within a second
    assert set(_sides(proxy.url, 60)) == {"monolith"}
    code, out, err = _cli("route", "set", "catalog", "--stage", "canary", "--percent", "100",
                          "--config", str(config))
    assert code == 0, err
    time.sleep(1.0)
    assert set(_sides(proxy.url, 30)) == {"service"}


def test_routes_table_and_json(deployment: tuple[ProxyProcess, Path, str]) -> None:
    _, config, _ = deployment
    code, out, err = _cli("routes", "--config", str(config))
    assert code == 0, err
    assert "catalog" in out and "same" in out and "shadow" in out
    code, out, _ = _cli("routes", "--config", str(config), "--format", "json")
    names = {r["name"]: r for r in json.loads(out)["routes"]}
    assert names["same"]["shadow_target"] == "service"


def test_promotion_refused_then_allowed_as_the_figures_come_in(
        deployment: tuple[ProxyProcess, Path, str]) -> None:
    proxy, config, _ = deployment
    code, out, err = _cli("route", "promote", "same", "--config", str(config))
    assert code == 1
    assert "FAIL min_compared" in err and "same stays at shadow" in err
    with httpx.Client() as client:
        for i in range(8):
            assert client.get(f"{proxy.url}/api/same/{i}").status_code == 200
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        code, out, _ = _cli("diffs", "same", "--config", str(config), "--format", "json")
        if code == 0 and json.loads(out)["routes"] and \
                json.loads(out)["routes"][0]["compared"] >= 8:
            break
        time.sleep(0.1)
    code, out, err = _cli("route", "promote", "same", "--config", str(config))
    while code != 0 and "no latency figures yet" in err and time.monotonic() < deadline:
        time.sleep(0.2)  # the latency histogram is written after the comparison counts
        code, out, err = _cli("route", "promote", "same", "--config", str(config))
    assert code == 0, err
    assert "same: shadow -> canary 10%" in out


def test_diffs_text_and_html(deployment: tuple[ProxyProcess, Path, str]) -> None:
    proxy, config, _ = deployment
    with httpx.Client() as client:
        client.get(f"{proxy.url}/api/same/extra")
    # Self-sufficient under xdist: wait until this request's comparison is stored, whatever
    # other tests of this module did (or did not do) with the shared deployment first.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        code, out, _ = _cli("diffs", "same", "--config", str(config), "--format", "json")
        if code == 0 and json.loads(out)["routes"]:
            break
        time.sleep(0.1)
    code, out, err = _cli("diffs", "--config", str(config))
    assert code == 0, err
    assert "same:" in out and "match rate 100.0%" in out
    code, out, _ = _cli("diffs", "--config", str(config), "--format", "html")
    assert out.startswith("<!DOCTYPE html>") and "<h2>same</h2>" in out
    code, _, err = _cli("diffs", "nope", "--config", str(config))
    assert code == 2 and "no route named 'nope'" in err


def test_clear_errors_without_a_token_or_a_running_proxy(
        deployment: tuple[ProxyProcess, Path, str], tmp_path: Path) -> None:
    _, config, _ = deployment
    code, _, err = _cli("routes", "--config", str(config), env={"STRANGLER_ADMIN_TOKEN": ""})
    assert code == 2 and "STRANGLER_ADMIN_TOKEN is not set" in err
    code, _, err = _cli("routes", "--config", str(config),
                        env={"STRANGLER_ADMIN_TOKEN": "wrong-token"})
    assert code == 2 and "refused the token" in err
    idle = write_routes(tmp_path / "idle.toml", {"monolith": "http://127.0.0.1:9"},
                        extra=f'[admin]\nlisten = "127.0.0.1:{_free_port()}"')
    code, _, err = _cli("route", "rollback", "x", "--config", str(idle),
                        env={"STRANGLER_ADMIN_TOKEN": TOKEN})
    assert code == 2 and "strangler proxy serve --config" in err


def _png_colours(data: bytes) -> int:
    """How many distinct RGB(A) pixel values a PNG holds (8-bit, non-interlaced)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width = height = channels = 0
    idat = b""
    at = 8
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        chunk = data[at + 8: at + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8
            channels = {2: 3, 6: 4}[colour]
        elif kind == b"IDAT":
            idat += chunk
        at += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for x in range(stride):  # undo the PNG row filters
            left = line[x - channels] if x >= channels else 0
            up = previous[x]
            corner = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 255
            elif kind == 2:
                line[x] = (line[x] + up) & 255
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc
                                      else corner)) & 255
        rows.append(bytes(line))
        previous = line
    return len({row[i:i + 3] for row in rows[::7] for i in range(0, stride, channels * 5)})


def test_the_dashboard_renders_in_headless_chromium(
        deployment: tuple[ProxyProcess, Path, str], tmp_path: Path) -> None:
    browser = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(browser).exists():
        pytest.skip("chromium is not installed (.ci/run installs it)")
    _, _, admin = deployment
    shot = tmp_path / "dashboard.png"
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
                    f"--screenshot={shot}", "--window-size=1280,900",
                    f"{admin}/login?token={TOKEN}"],
                   check=True, capture_output=True, timeout=90)
    assert shot.stat().st_size > 10_000
    assert _png_colours(shot.read_bytes()) > 20  # text, bars and cards, not a blank page
    page = httpx.get(admin + "/dashboard", headers={"authorization": f"Bearer {TOKEN}"})
    assert "catalog" in page.text and "same" in page.text
