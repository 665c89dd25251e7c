"""``[proxy] max_client_connections``: past it, a connection's first request gets 503 and the
connection closes, while the connections already open go on being served."""

from __future__ import annotations

import io
import json
import resource
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from strangler_proxy.routes_file import parse_table
from strangler_proxy.serve import UVICORN_OPTIONS
from strangler_proxy.server import HttpServerProtocol
from tests.support.servers import RunningServer, UpstreamApp, running
from tests.unit.strangler_proxy.harness import proxy_logging_to
from tests.unit.strangler_proxy.test_head_limits import json_error

LIMIT = 2
GET = b"GET /api/x HTTP/1.1\r\nHost: shop.example\r\n\r\n"


@pytest.fixture()
def proxy(monolith_server: RunningServer,
          tmp_path: Path) -> Iterator[tuple[RunningServer, io.StringIO]]:
    with proxy_logging_to(monolith_server.url, tmp_path,
                          f"[proxy]\nmax_client_connections = {LIMIT}") as both:
        yield both


def answer_of(sock: socket.socket) -> bytes:
    """One whole response, framed by Content-Length or chunked."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"closed after {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lengths = [int(line.split(b":")[1]) for line in head.split(b"\r\n")
               if line.lower().startswith(b"content-length:")]
    while (len(body) < lengths[0]) if lengths else not body.endswith(b"0\r\n\r\n"):
        chunk = sock.recv(65536)
        assert chunk, f"closed inside the body {body!r}"
        body += chunk
    return head + b"\r\n\r\n" + body


def served(sock: socket.socket) -> bytes:
    sock.sendall(GET)
    return answer_of(sock)


def test_past_the_limit_a_connection_gets_503_and_is_closed_the_others_go_on(
        proxy: tuple[RunningServer, io.StringIO]) -> None:
    server, access = proxy
    address = ("127.0.0.1", server.port)
    with socket.create_connection(address, timeout=10) as first, \
            socket.create_connection(address, timeout=10) as second:
        assert served(first).startswith(b"HTTP/1.1 200")  # both accepted and counted
        assert served(second).startswith(b"HTTP/1.1 200")
        with socket.create_connection(address, timeout=10) as third:
            third.sendall(GET)
            answer = b""
            while chunk := third.recv(65536):  # read to the end: the proxy closes it
                answer += chunk
        status, headers, body = json_error(answer)
        assert status == 503
        assert headers["connection"] == "close"
        assert headers["retry-after"] == "1"
        assert body["request_id"] == headers["x-request-id"]
        assert f"limit of {LIMIT} client connections" in body["error"]
        # the connections within the limit are still served, on the same sockets
        assert served(first).startswith(b"HTTP/1.1 200")
        assert served(second).startswith(b"HTTP/1.1 200")
    lines = [json.loads(line) for line in access.getvalue().splitlines()]
    assert [line["status"] for line in lines].count(503) == 1  # in the access log, as any answer
    refused = next(line for line in lines if line["status"] == 503)
    assert refused["request_id"] == body["request_id"]


def test_a_closed_connection_frees_its_place(proxy: tuple[RunningServer, io.StringIO]) -> None:
    server, _ = proxy
    address = ("127.0.0.1", server.port)
    with socket.create_connection(address, timeout=10) as kept:
        assert served(kept).startswith(b"HTTP/1.1 200")
        for _ in range(5):  # one place left: each new connection in turn gets it
            # The server frees the place when it sees the previous connection's close,
            # which may come just after the next connection's accept: a few tries.
            for _ in range(50):
                with socket.create_connection(address, timeout=10) as passing:
                    answer = served(passing)
                if answer.startswith(b"HTTP/1.1 200"):
                    break
                time.sleep(0.05)
            assert answer.startswith(b"HTTP/1.1 200"), answer[:60]


class CappedApp(UpstreamApp):
    """Any ASGI app with a connection cap but no head limit of its own."""

    max_client_connections = 1


def test_an_app_that_does_not_answer_refusals_gets_a_plain_503() -> None:
    app = CappedApp("plain")
    with running(app, http=HttpServerProtocol, **UVICORN_OPTIONS) as server:
        address = ("127.0.0.1", server.port)
        with socket.create_connection(address, timeout=10) as first:
            assert served(first).startswith(b"HTTP/1.1 200")
            requests_before = len(app.requests)
            with socket.create_connection(address, timeout=10) as second:
                second.sendall(GET)
                answer = b""
                while chunk := second.recv(65536):
                    answer += chunk
            assert answer.startswith(b"HTTP/1.1 503 Service Unavailable\r\n")
            assert answer.endswith(b"Too many client connections.")
            assert len(app.requests) == requests_before  # the app never saw it


def test_the_routes_file_reads_the_limit_and_refuses_a_negative_one() -> None:
    base = 'default = "m"\n[upstreams.m]\nurl = "http://127.0.0.1:9"\n'
    assert parse_table(base).proxy.max_client_connections == 4096  # the default
    assert parse_table(base + "[proxy]\nmax_client_connections = 0\n") \
        .proxy.max_client_connections == 0  # no cap
    with pytest.raises(Exception, match="max_client_connections: must be at least 0"):
        parse_table(base + "[proxy]\nmax_client_connections = -1\n", "routes.toml")


def run_with_open_file_limit(soft: int, hard: int, clients: int) -> tuple[str, int]:
    """``ensure_file_descriptors`` in a child whose limit starts at (soft, hard)."""
    script = textwrap.dedent(f"""
        import resource
        from strangler_proxy.routes_file import parse_table
        from strangler_proxy.serve import ensure_file_descriptors
        resource.setrlimit(resource.RLIMIT_NOFILE, ({soft}, {hard}))
        table = parse_table('default = "m"\\n[upstreams.m]\\nurl = "http://127.0.0.1:9"\\n'
                            'max_connections = 50\\n'
                            '[proxy]\\nmax_client_connections = {clients}\\n')
        print(repr(ensure_file_descriptors(table)))
        print(resource.getrlimit(resource.RLIMIT_NOFILE)[0])
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    return eval(out[0]), int(out[1])  # noqa: S307 (our own child's repr of a str)


def test_serve_raises_the_open_file_limit_to_what_a_worker_may_hold() -> None:
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    needed = 1000 + 50 + 256  # clients + the upstream's pool + spare
    if hard != resource.RLIM_INFINITY and hard < needed:
        pytest.skip(f"this machine's hard open-file limit ({hard}) is below {needed}")
    warning, soft = run_with_open_file_limit(512, hard, 1000)
    assert warning == ""
    assert soft == needed


def test_serve_says_what_to_do_when_the_hard_limit_is_too_low() -> None:
    warning, soft = run_with_open_file_limit(300, 400, 1000)
    assert soft == 400  # raised as far as allowed
    assert "may hold 1306 open files" in warning
    assert "the open-file limit is 400" in warning
    assert "ulimit -n" in warning
