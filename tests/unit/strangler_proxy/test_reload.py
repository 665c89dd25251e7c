"""Hot reload through the real proxy: swaps with requests in flight, bad files, SIGHUP."""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.support.servers import RunningServer, UpstreamApp, running
from tests.unit.strangler_proxy.harness import proxy_process, serving_proxy, write_routes

ITEMS_ON_SERVICE = """
[[routes]]
name = "items"
path = "/api/items/"
upstream = "catalog"
stage = "service"
strip_prefix = "/api"
"""
ITEMS_ON_MONOLITH = """
[[routes]]
name = "items"
path = "/api/items/"
upstream = "catalog"
stage = "monolith"
"""


MONOLITH, CATALOG = UpstreamApp("monolith"), UpstreamApp("catalog")


@pytest.fixture(scope="module")
def upstreams() -> Iterator[dict[str, str]]:
    with running(MONOLITH) as m, running(CATALOG) as c:
        yield {"monolith": m.url, "catalog": c.url}


def eventually(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.05)


def served_by(proxy_url: str, path: str = "/api/items/1") -> str:
    return httpx.get(proxy_url + path).json()["upstream"]


def consistent(echo: dict[str, object]) -> bool:
    """A response from a whole table: the service gets the rewritten path, the monolith not."""
    if echo["upstream"] == "catalog":
        return str(echo["path"]).startswith("/items/")
    return str(echo["path"]).startswith("/api/items/")


def test_move_a_path_to_the_service_and_back_without_losing_a_request(
        upstreams: dict[str, str], tmp_path: Path) -> None:
    config = write_routes(tmp_path / "routes.toml", upstreams, ITEMS_ON_MONOLITH)
    with serving_proxy(config) as (proxy, _):
        stop = threading.Event()
        results: list[tuple[int, dict[str, object]]] = []

        def load() -> None:
            with httpx.Client() as client:
                while not stop.is_set():
                    response = client.get(proxy.url + f"/api/items/{len(results)}")
                    results.append((response.status_code, response.json()))

        with ThreadPoolExecutor(3) as pool:
            loaders = [pool.submit(load) for _ in range(2)]
            # A slow request that starts on the old table and must finish on it.
            slow = pool.submit(httpx.get, proxy.url + "/api/items/slow/1.5", timeout=10)
            eventually(lambda: ("GET", "/api/items/slow/1.5") in MONOLITH.requests)
            write_routes(config, upstreams, ITEMS_ON_SERVICE)
            eventually(lambda: served_by(proxy.url) == "catalog")
            slow_echo = slow.result().json()
            write_routes(config, upstreams, ITEMS_ON_MONOLITH)
            eventually(lambda: served_by(proxy.url) == "monolith")
            stop.set()
            for loader in loaders:
                loader.result()
        assert slow_echo["upstream"] == "monolith"
        assert slow_echo["path"] == "/api/items/slow/1.5"
        assert results, "the load loop made no requests"
        assert all(status == 200 for status, _ in results)  # none lost
        assert all(consistent(echo) for _, echo in results)  # none half-loaded
        assert {echo["upstream"] for _, echo in results} == {"monolith", "catalog"}


def test_in_flight_request_finishes_on_an_upstream_the_new_table_removed(
        upstreams: dict[str, str], tmp_path: Path) -> None:
    config = write_routes(tmp_path / "routes.toml", upstreams, ITEMS_ON_SERVICE)
    with serving_proxy(config) as (proxy, app):
        with ThreadPoolExecutor(1) as pool:
            slow = pool.submit(httpx.get, proxy.url + "/api/items/slow/1.5", timeout=10)
            eventually(lambda: ("GET", "/items/slow/1.5") in CATALOG.requests)
            write_routes(config, {"monolith": upstreams["monolith"]})  # catalog gone
            eventually(lambda: "catalog" not in app.runtime.upstreams)  # type: ignore[union-attr]
            response = slow.result()
        assert response.status_code == 200
        assert response.json()["upstream"] == "catalog"
        assert served_by(proxy.url) == "monolith"


def test_invalid_file_keeps_the_old_table_and_logs_each_issue_with_its_line(
        upstreams: dict[str, str], tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="strangler_proxy.reload")
    config = write_routes(tmp_path / "routes.toml", upstreams, ITEMS_ON_SERVICE)
    with serving_proxy(config) as (proxy, _):
        assert served_by(proxy.url) == "catalog"
        broken = config.read_text().replace('stage = "service"', 'stagee = "monolith"')
        config.write_text(broken)
        eventually(lambda: "stagee" in caplog.text)
        line = next(n for n, text in enumerate(broken.splitlines(), 1) if "stagee" in text)
        assert f"routes.toml:{line}: routes[0].stagee: unknown key; did you mean 'stage'?" \
            in caplog.text
        assert served_by(proxy.url) == "catalog"  # the old table keeps serving
        metrics = httpx.get(proxy.url + "/-/metrics").text
        assert 'strangler_proxy_reloads_total{result="error"} 1' in metrics
        write_routes(config, upstreams, ITEMS_ON_MONOLITH)
        eventually(lambda: served_by(proxy.url) == "monolith")


def test_sighup_reloads_a_proxy_process(upstreams: dict[str, str], tmp_path: Path) -> None:
    config = write_routes(tmp_path / "routes.toml", upstreams, ITEMS_ON_MONOLITH,
                          extra="[proxy]\nwatch = false")
    with proxy_process(config) as proxy:
        assert served_by(proxy.url) == "monolith"
        write_routes(config, upstreams, ITEMS_ON_SERVICE, extra="[proxy]\nwatch = false")
        time.sleep(0.5)
        assert served_by(proxy.url) == "monolith"  # no watch: nothing changes by itself
        proxy.process.send_signal(signal.SIGHUP)
        eventually(lambda: served_by(proxy.url) == "catalog")
        proxy.wait_for_line("reloaded")
        access = proxy.wait_for_line('"route":"items"')
        assert '"request_id"' in access


def test_running_server_serves_while_reloading(upstreams: dict[str, str], tmp_path: Path) -> None:
    # A sanity check of the harness itself: the proxy in a thread sees its file's edits.
    config = write_routes(tmp_path / "routes.toml", upstreams, ITEMS_ON_MONOLITH)
    with serving_proxy(config) as (proxy, _):
        server: RunningServer = proxy
        write_routes(config, upstreams, ITEMS_ON_SERVICE)
        eventually(lambda: served_by(server.url) == "catalog")
