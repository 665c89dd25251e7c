"""The pass-through fast path (``strangler_proxy.relay``) against the ASGI path it shortcuts.

Two proxies in front of the same real upstream, one with ``fast_path = false``: every
response must be the same bytes (the client sends its own X-Request-ID so even that header
matches), and the failures must end the way the ASGI path ends them.
"""

from __future__ import annotations

import io
import json
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from strangler_proxy.app import ProxyApp
from tests.support.differing import DifferingApp
from tests.support.raw_server import RawServer, read_head
from tests.support.servers import RunningServer, UpstreamApp, running
from tests.unit.strangler_proxy.harness import serving_proxy, write_routes

Proxy = tuple[RunningServer, ProxyApp]
ROUTE = ('[[routes]]\nname = "svc"\npath = "/svc/"\nupstream = "svc"\nstage = "service"\n'
         'strip_prefix = "/svc"')


@pytest.fixture(scope="module")
def upstream() -> Iterator[tuple[UpstreamApp, RunningServer]]:
    app = UpstreamApp("svc")
    with running(app) as server:
        yield app, server


def _proxy(tmp: Path, upstream_url: str, *, fast: bool, svc_extra: str = "") -> Path:
    return write_routes(tmp / f"routes-{fast}.toml", {"monolith": upstream_url, "svc": upstream_url},
                        ROUTE, extra=f"[proxy]\nfast_path = {str(fast).lower()}",
                        upstream_extra={"svc": svc_extra} if svc_extra else None)


@pytest.fixture(scope="module")
def proxies(upstream: tuple[UpstreamApp, RunningServer],
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Proxy, Proxy]]:
    tmp = tmp_path_factory.mktemp("relay")
    with serving_proxy(_proxy(tmp, upstream[1].url, fast=True), watch=False) as fast, \
            serving_proxy(_proxy(tmp, upstream[1].url, fast=False), watch=False) as slow:
        yield fast, slow


def exchange(server: RunningServer, requests: list[bytes]) -> list[bytes]:
    """Send requests one by one on one keep-alive connection; each raw response, whole."""
    out = []
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        buffer = b""
        for request in requests:
            sock.sendall(request)
            head_request = request.startswith(b"HEAD ")
            while b"\r\n\r\n" not in buffer:
                buffer += sock.recv(65536)
            head, _, rest = buffer.partition(b"\r\n\r\n")
            headers = head.lower()
            if head_request or b" 204 " in head.split(b"\r\n")[0] \
                    or b" 304 " in head.split(b"\r\n")[0]:
                size = 0
            elif b"content-length:" in headers:
                size = int(headers.split(b"content-length:")[1].split(b"\r\n")[0])
            else:  # chunked: read to the last chunk
                while not rest.endswith(b"0\r\n\r\n"):
                    rest += sock.recv(65536)
                size = len(rest)
            while len(rest) < size:
                rest += sock.recv(65536)
            out.append(head + b"\r\n\r\n" + rest[:size])
            buffer = rest[size:]
    return out


def relayed(server: RunningServer) -> int:
    """The proxy's relayed-requests counter, read over HTTP.

    The proxy thread writes an answer and then counts it in the same callback, so reading the
    attribute from this thread can race the count; any later request cannot."""
    for line in httpx.get(server.url + "/-/metrics").text.splitlines():
        if line.startswith("strangler_proxy_relayed_requests_total "):
            return int(line.split()[1])
    raise AssertionError("no relayed_requests_total in /-/metrics")


def dechunk(data: bytes) -> bytes:
    out = b""
    while True:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line, 16)
        if not size:
            return out
        out, data = out + data[:size], data[size + 2:]


def get(path: str, request_id: str, method: str = "GET", extra: str = "") -> bytes:
    return (f"{method} {path} HTTP/1.1\r\nHost: proxy.test\r\nX-Request-ID: {request_id}\r\n"
            f"{extra}\r\n").encode()


REQUESTS = [
    get("/svc/items?page=2&q=a%20b", "r1"),
    get("/svc/cookies", "r2", extra="Connection: keep-alive, x-drop\r\nX-Drop: 1\r\n"),
    get("/svc/items", "r3", method="HEAD"),
    get("/svc/status/204", "r4"),
    get("/svc/status/304", "r5"),
    get("/svc/stream/5", "r6"),
    get("/svc/download/300000", "r7"),
    get("/svc/status/404", "r8"),
    get("/svc/thing", "r9", method="DELETE"),
    get("/svc/thing", "r10", method="OPTIONS"),
    get("/elsewhere/%7Euser/./x", "r11"),  # no route: the default upstream, normalised
    get("/svc/status/503", "r12"),
]


def test_relayed_responses_are_the_asgi_paths_bytes(proxies: tuple[Proxy, Proxy]) -> None:
    (fast, _), (slow, _) = proxies
    warm = [get("/svc/warm", "w0"), get("/warm", "w1")]  # pooled connections for the relay
    exchange(fast, warm)
    exchange(slow, warm)
    relayed_before = relayed(fast)
    fast_answers = exchange(fast, REQUESTS)
    slow_answers = exchange(slow, REQUESTS)
    for request, ours, reference in zip(REQUESTS, fast_answers, slow_answers, strict=True):
        assert ours == reference, request
    assert relayed(fast) - relayed_before == len(REQUESTS)  # all took the relay
    assert relayed(slow) == 0
    # And the relay did what the issue asks of any path: hop-by-hop and Connection-named
    # headers dropped both ways, duplicate Set-Cookie lines kept, the id passed on.
    cookies = fast_answers[1].decode("latin-1").lower()
    assert cookies.count("set-cookie:") == 2
    assert "keep-alive:" not in cookies and "x-hop:" not in cookies
    echo = json.loads(dechunk(fast_answers[1].partition(b"\r\n\r\n")[2]))
    seen = {name for name, _ in echo["headers"]}
    assert "x-drop" not in seen and "connection" not in seen
    assert ["x-request-id", "r2"] in echo["headers"]


def test_requests_with_bodies_and_internal_paths_take_the_asgi_path(
        proxies: tuple[Proxy, Proxy]) -> None:
    (fast, _), _ = proxies
    before = relayed(fast)
    posted = httpx.post(fast.url + "/svc/upload", content=b"x" * 1000)
    assert posted.json()["body_bytes"] == 1000
    assert httpx.get(fast.url + "/-/health").status_code == 200
    assert relayed(fast) == before
    assert f"relayed_requests_total {before}" in httpx.get(fast.url + "/-/metrics").text


def test_a_relayed_timeout_is_504_with_the_request_id_and_not_retried(
        upstream: tuple[UpstreamApp, RunningServer], tmp_path: Path) -> None:
    app, server = upstream
    config = _proxy(tmp_path, server.url, fast=True, svc_extra="read_timeout = 0.3\nretries = 2")
    with serving_proxy(config, watch=False) as (proxy, _):
        with httpx.Client(base_url=proxy.url, timeout=5) as client:
            assert client.get("/svc/warm").status_code == 200  # an idle pooled connection
            app.requests.clear()
            before = relayed(proxy)
            response = client.get("/svc/slow/1", headers={"x-request-id": "slow-1"})
        assert response.status_code == 504
        assert response.json() == {"error": "upstream timed out (read timeout)",
                                   "request_id": "slow-1"}
        assert [path for _, path in app.requests] == ["/slow/1"]  # sent once, no retry
        assert relayed(proxy) == before + 1  # on the relay


def test_a_relayed_body_cut_short_cuts_the_client_connection(
        proxies: tuple[Proxy, Proxy]) -> None:
    (fast, _), _ = proxies
    with httpx.Client(base_url=fast.url, timeout=5) as client:
        client.get("/svc/warm")
        before = relayed(fast)
        with pytest.raises(httpx.HTTPError):
            client.get("/svc/reset").read()  # 1 MB announced, 64 KB sent
    assert relayed(fast) == before + 1
    assert httpx.get(fast.url + "/svc/after").status_code == 200


def eventually(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def test_a_client_leaving_a_relayed_download_frees_the_upstream(
        upstream: tuple[UpstreamApp, RunningServer], tmp_path: Path) -> None:
    access = io.StringIO()
    config = _proxy(tmp_path, upstream[1].url, fast=True)
    with serving_proxy(config, watch=False, access_stream=access) as (proxy, proxy_app):
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as sock:
            sock.sendall(get("/svc/warm", "w"))
            time.sleep(0.2)
            sock.recv(65536)
            sock.sendall(get(f"/svc/download/{8 << 30}", "gone-1"))
            assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        svc = proxy_app.runtime.upstreams["svc"]  # type: ignore[union-attr]
        eventually(lambda: svc.in_flight == 0)  # 8 GiB would take minutes to drain
        proxy_app.access_log.flush()
        eventually(lambda: '"request_id":"gone-1"' in access.getvalue())
        line = next(json.loads(row) for row in access.getvalue().splitlines()
                    if '"gone-1"' in row)
        assert (line["status"], line["error"]) == (499, "client went away during the response")
        assert httpx.get(proxy.url + "/svc/still-serving").status_code == 200


def test_an_upstream_closing_idle_connections_costs_no_request(tmp_path: Path) -> None:
    app = UpstreamApp("short-keepalive")
    with running(app, timeout_keep_alive=0.2) as server:
        config = _proxy(tmp_path, server.url, fast=True)
        with serving_proxy(config, watch=False) as (proxy, _), \
                httpx.Client(base_url=proxy.url, timeout=5) as client:
            for _ in range(5):
                assert client.get("/svc/x").status_code == 200
                time.sleep(0.3)  # the upstream has closed the pooled connection by now


SHADOW_ROUTE = """
[[routes]]
name = "changed"
path = "/api/changed/"
upstream = "service"
stage = "shadow"
"""


def test_relayed_requests_on_a_shadow_route_are_compared(tmp_path: Path) -> None:
    apps = {"monolith": DifferingApp("monolith"), "service": DifferingApp("service")}
    with running(apps["monolith"]) as mono, running(apps["service"]) as svc:
        config = write_routes(tmp_path / "routes.toml",
                              {"monolith": mono.url, "service": svc.url}, SHADOW_ROUTE,
                              extra="[proxy]\naccess_log = false\nwatch = false")
        with serving_proxy(config, watch=False) as (proxy, app), \
                httpx.Client(base_url=proxy.url, timeout=10) as client:
            direct = httpx.get(mono.url + "/api/changed/1")
            client.get("/api/changed/1")  # opens the pooled connection
            before = relayed(proxy)
            answers = [client.get("/api/changed/1") for _ in range(5)]
            assert relayed(proxy) - before == 5
            assert all(a.content == direct.content for a in answers)  # the primary's bytes
            assert app.stores is not None

            def comparisons() -> int:
                found = app.stores.diffs.summary("changed", top=5)  # type: ignore[union-attr]
                return found[0].compared if found else 0

            eventually(lambda: comparisons() >= 6)
            found = app.stores.diffs.summary("changed", top=5)[0]
            assert dict(found.top_paths) == {"results[*].title": found.compared}


def read_to_close(server: RunningServer, request: bytes) -> bytes:
    data = b""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(request)
        while chunk := sock.recv(65536):
            data += chunk
    return data


def test_an_http_1_0_client_of_a_chunked_upstream_gets_a_close_delimited_body(
        proxies: tuple[Proxy, Proxy]) -> None:
    (fast, _), (slow, _) = proxies
    exchange(fast, [get("/svc/warm", "w")])
    request = b"GET /svc/stream/3 HTTP/1.0\r\nHost: proxy.test\r\nX-Request-ID: old-1\r\n\r\n"
    before = relayed(fast)
    ours = read_to_close(fast, request)
    assert relayed(fast) == before + 1
    assert ours == read_to_close(slow, request)
    head, _, body = ours.partition(b"\r\n\r\n")
    assert b"transfer-encoding" not in head.lower()
    assert body == b"x" * 3072


class OneRequestPerConnection:
    """Answers each connection's first request with its request head (as JSON, keep-alive)
    and closes the connection, unanswered, when a second request comes: the race of an
    upstream closing a kept-alive connection just as it is reused."""

    def __init__(self) -> None:
        self.dropped = 0
        self.server = RawServer(self.handle)
        self.url = self.server.url

    def handle(self, conn: socket.socket) -> None:
        first = read_head(conn)
        if first is None:
            return
        head, rest = first
        body = json.dumps({"head": head.decode("latin-1").split("\r\n")}).encode()
        conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                     b"content-length: %d\r\n\r\n%s" % (len(body), body))
        if read_head(conn, rest) is not None:
            self.dropped += 1  # closed without a byte of response

    def close(self) -> None:
        self.server.close()


def test_a_relay_the_upstream_dropped_unanswered_is_served_whole_on_the_asgi_path(
        tmp_path: Path) -> None:
    upstream = OneRequestPerConnection()
    try:
        config = _proxy(tmp_path, upstream.url, fast=True)
        with serving_proxy(config, watch=False) as (proxy, _), \
                httpx.Client(base_url=proxy.url, timeout=5) as client:
            for attempt in range(4):
                response = client.get(f"/svc/items?page={attempt}&q=a%20b",
                                      headers={"X-Custom": f"c{attempt}"})
                assert response.status_code == 200
                head = response.json()["head"]
                # the request the ASGI path sent again is the one the client sent
                assert head[0] == f"GET /items?page={attempt}&q=a%20b HTTP/1.1"
                assert f"x-custom: c{attempt}" in [line.lower() for line in head]
                assert response.headers["x-request-id"]
        assert upstream.dropped >= 1  # the relay did meet a dropped connection
    finally:
        upstream.close()
