"""Failures through the real proxy: 502/504, retries, fallback, circuit, health, limits."""

from __future__ import annotations

import io
import json
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from strangler_proxy.app import ProxyApp, Runtime
from tests.support.servers import RunningServer, UpstreamApp, reserve_port, running
from tests.unit.strangler_proxy.harness import serving_proxy, write_routes
from tests.unit.strangler_proxy.test_app_routing import raw_request


@pytest.fixture(scope="module")
def monolith() -> Iterator[tuple[UpstreamApp, RunningServer]]:
    app = UpstreamApp("monolith")
    with running(app) as server:
        yield app, server


@pytest.fixture(scope="module")
def service() -> Iterator[tuple[UpstreamApp, RunningServer]]:
    app = UpstreamApp("service")
    with running(app) as server:
        yield app, server


def eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.05)


def metric(proxy: RunningServer, prefix: str) -> float:
    for line in httpx.get(proxy.url + "/-/metrics").text.splitlines():
        if line.startswith(prefix):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def assert_json_error(response: httpx.Response, status: int) -> None:
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error", "request_id"}
    assert body["request_id"] == response.headers["x-request-id"]


@pytest.fixture()
def dead_port() -> Iterator[object]:
    sock = reserve_port()
    yield sock
    sock.close()


def test_connect_failure_is_502_with_request_id(monolith: tuple[UpstreamApp, RunningServer],
                                                dead_port: object, tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{dead_port.getsockname()[1]}"  # type: ignore[attr-defined]
    config = write_routes(tmp_path / "r.toml", {"monolith": monolith[1].url, "gone": dead},
                          '[[routes]]\nname = "gone"\npath = "/gone/"\nupstream = "gone"\n'
                          'stage = "service"')
    with serving_proxy(config, watch=False) as (proxy, _):
        response = httpx.get(proxy.url + "/gone/x", timeout=5)
        assert_json_error(response, 502)
        assert response.json()["error"] == "could not connect to the upstream"


def test_read_timeout_is_504_and_not_retried(monolith: tuple[UpstreamApp, RunningServer],
                                            service: tuple[UpstreamApp, RunningServer],
                                            tmp_path: Path) -> None:
    app, server = service
    config = write_routes(
        tmp_path / "r.toml", {"monolith": monolith[1].url, "svc": server.url},
        '[[routes]]\nname = "svc"\npath = "/svc/"\nupstream = "svc"\nstage = "service"',
        upstream_extra={"svc": "read_timeout = 0.3\nretries = 3"})
    with serving_proxy(config, watch=False) as (proxy, _):
        app.requests.clear()
        response = httpx.get(proxy.url + "/svc/slow/2", timeout=5)
        assert_json_error(response, 504)
        # The request reached the upstream, so it must not be sent again.
        assert app.requests == [("GET", "/svc/slow/2")]
        errors = 'strangler_proxy_upstream_errors_total{route="svc",upstream="svc",'
        assert metric(proxy, errors + 'kind="read_timeout"}') == 1


def test_retries_only_idempotent_requests_that_never_left(
        monolith: tuple[UpstreamApp, RunningServer], dead_port: object, tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{dead_port.getsockname()[1]}"  # type: ignore[attr-defined]
    config = write_routes(
        tmp_path / "r.toml", {"monolith": monolith[1].url, "gone": dead},
        '[[routes]]\nname = "gone"\npath = "/gone/"\nupstream = "gone"\nstage = "service"',
        upstream_extra={"gone": "retries = 2\ncircuit = { failures = 0 }"})
    with serving_proxy(config, watch=False) as (proxy, _):
        key = 'strangler_proxy_upstream_errors_total{route="gone",upstream="gone",kind="connect"}'
        assert httpx.get(proxy.url + "/gone/a").status_code == 502
        assert metric(proxy, key) == 3  # first attempt + 2 retries
        assert httpx.post(proxy.url + "/gone/a", content=b"x").status_code == 502
        assert metric(proxy, key) == 4  # POST: one attempt only


def test_fallback_sends_failed_idempotent_requests_to_the_monolith(
        monolith: tuple[UpstreamApp, RunningServer], dead_port: object, tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{dead_port.getsockname()[1]}"  # type: ignore[attr-defined]
    config = write_routes(
        tmp_path / "r.toml", {"monolith": monolith[1].url, "gone": dead},
        '[[routes]]\nname = "gone"\npath = "/api/gone/"\nupstream = "gone"\nstage = "service"\n'
        'strip_prefix = "/api"\nfallback = true',
        upstream_extra={"gone": "retries = 0\ncircuit = { failures = 0 }"})
    with serving_proxy(config, watch=False) as (proxy, _):
        response = httpx.get(proxy.url + "/api/gone/7?x=1")
        assert response.status_code == 200
        assert response.json()["upstream"] == "monolith"
        assert response.json()["path"] == "/api/gone/7"  # the monolith's path, not rewritten
        assert httpx.post(proxy.url + "/api/gone/7", content=b"{}").status_code == 502


def test_circuit_opens_after_failures_and_recovers_half_open(
        monolith: tuple[UpstreamApp, RunningServer], tmp_path: Path) -> None:
    sock = reserve_port()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    config = write_routes(
        tmp_path / "r.toml", {"monolith": monolith[1].url, "flaky": url},
        '[[routes]]\nname = "flaky"\npath = "/f/"\nupstream = "flaky"\nstage = "service"',
        upstream_extra={"flaky": "retries = 0\ncircuit = { failures = 2, cooldown = 1.0 }"})
    with serving_proxy(config, watch=False) as (proxy, _):
        assert httpx.get(proxy.url + "/f/1").status_code == 502
        assert httpx.get(proxy.url + "/f/1").status_code == 502
        opened = httpx.get(proxy.url + "/f/1")
        assert_json_error(opened, 503)  # fail fast: no attempt while open
        assert metric(proxy, 'strangler_proxy_circuit_state{upstream="flaky"}') == 2
        errors = 'strangler_proxy_upstream_errors_total{route="flaky",upstream="flaky",'
        assert metric(proxy, errors + 'kind="circuit_open"}') == 1
        upstream = UpstreamApp("flaky")
        with running(upstream, sock=sock):
            # the cool-down is long enough for the three requests above on a loaded machine
            time.sleep(1.05)  # let it pass so the next request is the probe
            probe = httpx.get(proxy.url + "/f/2")
            assert probe.status_code == 200
            assert probe.json()["upstream"] == "flaky"
            assert metric(proxy, 'strangler_proxy_circuit_state{upstream="flaky"}') == 0
            assert httpx.get(proxy.url + "/f/3").status_code == 200
    sock.close()


def test_health_check_feeds_the_circuit_and_readiness(tmp_path: Path) -> None:
    sock = reserve_port()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    config = write_routes(tmp_path / "r.toml", {"monolith": url},
                          upstream_extra={"monolith": 'health_check = { path = "/health", '
                                                      'interval = 0.1, timeout = 0.5 }'})
    with serving_proxy(config, watch=False) as (proxy, _):
        eventually(lambda: httpx.get(proxy.url + "/-/ready").status_code == 503)
        ready = httpx.get(proxy.url + "/-/ready").json()
        assert ready["upstreams"]["monolith"]["circuit"] == "open"
        upstream = UpstreamApp("monolith")
        with running(upstream, sock=sock):
            eventually(lambda: httpx.get(proxy.url + "/-/ready").status_code == 200)
            assert ("GET", "/health") in upstream.requests
            assert httpx.get(proxy.url + "/x").json()["upstream"] == "monolith"
    sock.close()


@pytest.fixture()
def limited_proxy(monolith: tuple[UpstreamApp, RunningServer],
                  tmp_path: Path) -> Iterator[RunningServer]:
    config = write_routes(tmp_path / "r.toml", {"monolith": monolith[1].url},
                          extra="[proxy]\nmax_header_bytes = 1024\nmax_body_bytes = 1000")
    with serving_proxy(config, watch=False) as (proxy, _):
        yield proxy


def test_absolute_form_and_connect_are_refused(
        limited_proxy: RunningServer, monolith: tuple[UpstreamApp, RunningServer]) -> None:
    app, _ = monolith
    app.requests.clear()
    status, _, body = raw_request(
        limited_proxy.url,
        b"GET http://example.com/steal HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n")
    assert status == 400
    assert "absolute-form" in json.loads(body)["error"]
    status, _, _ = raw_request(
        limited_proxy.url, b"CONNECT /tunnel HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert status == 405
    status, _, _ = raw_request(
        limited_proxy.url,
        b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
    assert status in (400, 405)
    assert app.requests == []


def test_oversize_headers_are_431(limited_proxy: RunningServer) -> None:
    response = httpx.get(limited_proxy.url + "/x", headers={"X-Big": "a" * 2000})
    assert_json_error(response, 431)
    assert httpx.get(limited_proxy.url + "/x", headers={"X-Small": "a" * 100}).status_code == 200


@pytest.mark.parametrize(("request_bytes", "status"), [
    (b"GET /h HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n", 400),
    (b"GET /h HTTP/1.1\r\nConnection: close\r\n\r\n", 400),
    (b"GET /h HTTP/1.0\r\n\r\n", 200),  # HTTP/1.0 may leave Host out
    (b"GET /h HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400),
], ids=["two-hosts", "no-host-1.1", "no-host-1.0", "two-hosts-1.0"])
def test_a_request_needs_exactly_one_host(
        limited_proxy: RunningServer, monolith: tuple[UpstreamApp, RunningServer],
        request_bytes: bytes, status: int) -> None:
    app, _ = monolith
    app.requests.clear()
    got, headers, body = raw_request(limited_proxy.url, request_bytes)
    assert got == status
    if status == 400:
        assert "exactly one Host" in json.loads(body)["error"]
        assert json.loads(body)["request_id"] == headers["x-request-id"]
        assert app.requests == []  # refused before anything was forwarded


def test_oversize_bodies_are_413_by_length_and_while_streaming(
        limited_proxy: RunningServer, monolith: tuple[UpstreamApp, RunningServer]) -> None:
    app, _ = monolith
    app.requests.clear()
    response = httpx.post(limited_proxy.url + "/upload", content=b"x" * 2000)
    assert_json_error(response, 413)
    assert app.requests == []  # refused from Content-Length, before any upstream byte

    def chunks() -> Iterator[bytes]:
        for _ in range(30):
            yield b"y" * 100

    streamed = httpx.post(limited_proxy.url + "/upload", content=chunks())
    assert_json_error(streamed, 413)
    ok = httpx.post(limited_proxy.url + "/upload", content=b"z" * 900)
    assert ok.status_code == 200
    assert ok.json()["body_bytes"] == 900


def test_upstream_reset_mid_body_cuts_the_client_response(
        limited_proxy: RunningServer) -> None:
    with pytest.raises(httpx.HTTPError):
        # 1 MB announced, 64 KB sent: the client must see a broken response, not a short one.
        httpx.get(limited_proxy.url + "/reset", timeout=5).read()
    assert httpx.get(limited_proxy.url + "/after").status_code == 200


def test_client_leaving_a_long_download_stops_the_upstream_read(
        monolith: tuple[UpstreamApp, RunningServer], tmp_path: Path) -> None:
    config = write_routes(tmp_path / "r.toml", {"monolith": monolith[1].url})
    with serving_proxy(config, watch=False) as (proxy, app):
        with httpx.stream("GET", proxy.url + f"/download/{8 << 30}?chunked=1") as response:
            assert response.status_code == 200
            next(response.iter_raw(65536))
        # 8 GiB would take minutes to drain; the proxy must notice the client left and stop.
        upstream = app.runtime.upstreams["monolith"]  # type: ignore[union-attr]
        eventually(lambda: upstream.in_flight == 0, timeout=10)
        assert httpx.get(proxy.url + "/still-serving").status_code == 200


@pytest.fixture()
def impatient_proxy(monolith: tuple[UpstreamApp, RunningServer],
                    tmp_path: Path) -> Iterator[tuple[RunningServer, ProxyApp, io.StringIO]]:
    config = write_routes(tmp_path / "r.toml", {"monolith": monolith[1].url},
                          extra="[proxy]\nclient_body_timeout = 0.5")
    access = io.StringIO()
    with serving_proxy(config, watch=False, access_stream=access) as (proxy, app):
        yield proxy, app, access


@pytest.mark.parametrize("framing", [b"Content-Length: 100", b"Transfer-Encoding: chunked"])
def test_a_body_that_stops_coming_gets_408_and_frees_the_upstream(
        impatient_proxy: tuple[RunningServer, ProxyApp, io.StringIO], framing: bytes) -> None:
    proxy, app, access = impatient_proxy
    first = b"a" * 10 if framing.startswith(b"Content") else b"a\r\n" + b"a" * 10 + b"\r\n"
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as sock:
        sock.sendall(b"POST /upload HTTP/1.1\r\nHost: x\r\n" + framing + b"\r\n\r\n" + first)
        answer = b""
        while chunk := sock.recv(65536):  # then nothing more: the client stalls
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 ")
    assert b"connection: close" in head
    error = json.loads(body)
    assert "request body" in error["error"]
    assert runtime_of(app).upstreams["monolith"].in_flight == 0  # its connection was let go
    eventually(lambda: f'"request_id":"{error["request_id"]}"' in access.getvalue())
    assert '"status":408' in access.getvalue()


def test_a_slow_but_steady_body_is_not_cut(
        impatient_proxy: tuple[RunningServer, ProxyApp, io.StringIO]) -> None:
    proxy, _, _ = impatient_proxy
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as sock:
        sock.sendall(b"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 60\r\n"
                     b"Connection: close\r\n\r\n")
        for _ in range(6):  # 1.2 s in all, more than the timeout, never 0.5 s without a byte
            time.sleep(0.2)
            sock.sendall(b"b" * 10)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200 ")


def runtime_of(app: ProxyApp) -> Runtime:
    assert app.runtime is not None
    return app.runtime


@pytest.mark.parametrize("method", ["GET", "POST"], ids=["relay", "asgi-path"])
def test_a_client_that_stops_reading_is_cut_off_and_frees_the_upstream(
        monolith: tuple[UpstreamApp, RunningServer], tmp_path: Path, method: str) -> None:
    config = write_routes(tmp_path / "r.toml", {"monolith": monolith[1].url},
                          extra="[proxy]\nclient_send_timeout = 0.5")
    access = io.StringIO()
    with serving_proxy(config, watch=False, access_stream=access) as (proxy, app):
        upstream = runtime_of(app).upstreams["monolith"]
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.connect(("127.0.0.1", proxy.port))
            sock.sendall(f"{method} /download/{1 << 30} HTTP/1.1\r\nHost: x\r\n"
                         "Content-Length: 0\r\n\r\n".encode())
            eventually(lambda: upstream.in_flight == 1)
            # ... and never reads: the proxy's buffer fills, then it gives up on us
            eventually(lambda: '"status":499' in access.getvalue(), timeout=10)
            eventually(lambda: upstream.in_flight == 0)
            line = next(json.loads(row) for row in access.getvalue().splitlines()
                        if '"status":499' in row)
            assert line["path"] == f"/download/{1 << 30}"
        assert httpx.get(proxy.url + "/still-serving").status_code == 200
