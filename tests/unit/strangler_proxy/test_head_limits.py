"""Request heads are read only up to the limit: no client can make the proxy buffer without end.

The real proxy under uvicorn with its own server protocol, a real upstream, raw sockets that
keep sending a head that never ends: many header lines, one header value that never ends, a
target that never ends. Each gets the app's JSON 414/431 with a request id, the connection
closes, and the proxy's memory stays flat.
"""

from __future__ import annotations

import io
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from strangler_proxy.serve import UVICORN_OPTIONS
from strangler_proxy.server import HttpServerProtocol
from tests.support.raw_server import RawServer, read_head
from tests.support.servers import RunningServer, UpstreamApp, running
from tests.unit.strangler_proxy.harness import proxy_logging_to, serving_proxy, write_routes

LIMIT = 4096
FLOOD = 64 * 1024 * 1024  # what each flood tries to send: far more than any limit


@pytest.fixture()
def proxy(monolith_server: RunningServer,
          tmp_path: Path) -> Iterator[tuple[RunningServer, io.StringIO]]:
    with proxy_logging_to(monolith_server.url, tmp_path,
                          f"[proxy]\nmax_header_bytes = {LIMIT}") as both:
        yield both


def rss_bytes() -> int:
    """This process's resident memory now (the proxy runs in one of its threads)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096


def flood(server: RunningServer, start: bytes, unit: bytes) -> tuple[bytes, int]:
    """Send ``start`` then ``unit`` until FLOOD bytes or until the proxy stops taking them;
    returns the answer read afterwards and how many bytes went out."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(start)
        sent = 0
        try:
            while sent < FLOOD:
                sock.sendall(unit)
                sent += len(unit)
        except (ConnectionResetError, BrokenPipeError):
            pass  # the proxy answered and closed: what it never read is dropped
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except ConnectionResetError:
            pass
        return answer, sent


def json_error(answer: bytes) -> tuple[int, dict[str, str], dict[str, str]]:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in
               (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, json.loads(body)


@pytest.mark.parametrize(("start", "unit", "status"), [
    pytest.param(b"GET / HTTP/1.1\r\nHost: x\r\n", b"X-Junk: " + b"a" * 1000 + b"\r\n",
                 431, id="header-lines"),
    pytest.param(b"GET / HTTP/1.1\r\nHost: x\r\nX-Long: ", b"a" * 65536, 431,
                 id="one-endless-value"),
    pytest.param(b"GET /", b"a" * 65536, 414, id="endless-target"),
])
def test_a_head_that_never_ends_is_refused_and_not_buffered(
        proxy: tuple[RunningServer, io.StringIO], start: bytes, unit: bytes,
        status: int) -> None:
    server, access = proxy
    before = rss_bytes()
    answer, sent = flood(server, start, unit)
    got, headers, body = json_error(answer)
    assert got == status
    assert headers["connection"] == "close"
    assert body["request_id"] == headers["x-request-id"]
    assert f"{LIMIT}-byte limit" in body["error"]
    assert sent < FLOOD  # the proxy stopped reading long before the flood's end
    assert rss_bytes() - before < 16 * 1024 * 1024  # buffering the flood would be ~64 MB
    lines = [json.loads(line) for line in access.getvalue().splitlines()]
    assert any(line["status"] == status and line["request_id"] == body["request_id"]
               for line in lines)


def test_heads_within_the_limit_are_served_and_the_next_oversize_one_is_refused(
        proxy: tuple[RunningServer, io.StringIO]) -> None:
    server, _ = proxy
    fits = b"X-Fits: " + b"a" * (LIMIT - 200) + b"\r\n"
    over = b"X-Over: " + b"a" * (LIMIT + 10) + b"\r\n"
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        # pipelined: answered in order, the refused one last, then the connection closes
        sock.sendall(b"GET /first HTTP/1.1\r\nHost: x\r\n" + fits + b"\r\n"
                     b"GET /second HTTP/1.1\r\nHost: x\r\n" + over + b"\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    first, _, rest = answer.partition(b"\r\n\r\n")
    assert first.startswith(b"HTTP/1.1 200")
    assert rest.count(b"HTTP/1.1 ") == 1  # one more answer: the refusal
    assert b"HTTP/1.1 431" in rest


def test_an_app_without_a_limit_of_its_own_gets_the_servers_cap_and_plain_refusals() -> None:
    app = UpstreamApp("plain")  # any ASGI app: it knows nothing of head limits
    with running(app, http=HttpServerProtocol, **UVICORN_OPTIONS) as server:
        big = b"X-Big: " + b"a" * 200_000 + b"\r\n"  # over the proxy's default, under the cap
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + big + b"\r\n")
            assert sock.recv(100).startswith(b"HTTP/1.1 200")
        requests_before = len(app.requests)
        answer, sent = flood(server, b"GET /flood HTTP/1.1\r\nHost: x\r\nX-Long: ",
                             b"a" * 65536)
        assert answer.startswith(b"HTTP/1.1 431 ")
        assert answer.endswith(b"Request headers too large.")
        assert sent < FLOOD
        assert len(app.requests) == requests_before  # the app never saw the refused head


class RawUpstream:
    """Answers every connection's first request with ``head``, then, when ``endless``, with
    ``unit`` until the peer goes away: an upstream that never ends its head."""

    def __init__(self, head: bytes, unit: bytes = b"", *, endless: bool = False) -> None:
        self.head, self.unit, self.endless = head, unit, endless
        self.sent = 0
        self.server = RawServer(self.handle)
        self.url = self.server.url

    def handle(self, conn: socket.socket) -> None:
        if read_head(conn) is None:
            return
        conn.sendall(self.head)
        while self.endless and self.sent < FLOOD:
            conn.sendall(self.unit)
            self.sent += len(self.unit)

    def close(self) -> None:
        self.server.close()


@pytest.mark.parametrize("endless", [False, True], ids=["many-header-lines", "endless-value"])
def test_an_upstream_response_head_past_the_limit_is_a_502(tmp_path: Path,
                                                           endless: bool) -> None:
    if endless:
        upstream = RawUpstream(b"HTTP/1.1 200 OK\r\nX-Long: ", b"a" * 65536, endless=True)
    else:
        fields = b"".join(b"X-Field-%d: %s\r\n" % (n, b"a" * 1000) for n in range(100))
        upstream = RawUpstream(b"HTTP/1.1 200 OK\r\n" + fields + b"content-length: 2\r\n\r\nok")
    config = write_routes(tmp_path / "r.toml", {"monolith": upstream.url})
    try:
        with serving_proxy(config, watch=False) as (server, _):
            before = rss_bytes()
            for path in ("/relayed", "/asgi"):  # a GET takes the relay; a POST the ASGI path
                method = "GET" if path == "/relayed" else "POST"
                with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
                    sock.sendall(f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 0"
                                 "\r\nConnection: close\r\n\r\n".encode())
                    answer = b""
                    while chunk := sock.recv(65536):
                        answer += chunk
                status, headers, body = json_error(answer)
                assert status == 502, answer[:200]
                assert body["request_id"] == headers["x-request-id"]
                assert "X-Field" not in answer.decode("latin-1")  # nothing of it reached us
            assert upstream.sent < FLOOD
            assert rss_bytes() - before < 16 * 1024 * 1024
    finally:
        upstream.close()
