"""The proxy's own HTTP/1.1 server protocol, under uvicorn, with raw sockets.

A small ASGI app whose behaviour is chosen by the path stands in for the proxy, so each
test is about the protocol: framing, keep-alive, pipelining, 100-continue, bad requests,
refused heads, apps that fail.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from typing import Any

import pytest

from strangler_proxy.serve import UVICORN_OPTIONS
from strangler_proxy.server import HttpServerProtocol
from strangler_proxy.server.protocol import MAX_PIPELINED
from tests.support.servers import RunningServer, running


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            await send({"type": message["type"] + ".complete"})
            if message["type"] == "lifespan.shutdown":
                return
    path = scope["path"]
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    if path == "/boom":
        raise RuntimeError("the app fails before answering")
    if path == "/split":
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"x-evil", b"a\r\nset-cookie: stolen=1")]})
        await send({"type": "http.response.body", "body": b"no"})
        return
    if path == "/unfinished":
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", b"10")]})
        await send({"type": "http.response.body", "body": b"12345", "more_body": True})
        return
    if path == "/stream":  # no length: chunked
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for part in (b"one", b"two", b"three"):
            await send({"type": "http.response.body", "body": part, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
        return
    if path == "/nothing":
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        return
    echo = json.dumps({"method": scope["method"], "raw_path": scope["raw_path"].decode(),
                       "query": scope["query_string"].decode(), "body": body.decode(),
                       "version": scope["http_version"]}).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(echo)).encode())]})
    await send({"type": "http.response.body", "body": echo})


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    options = dict(UVICORN_OPTIONS, timeout_keep_alive=1, log_level="critical")
    with running(app, http=HttpServerProtocol, **options) as running_server:
        yield running_server


def connect(server: RunningServer) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=5)


def read_response(sock: socket.socket, buffer: bytearray, *,
                  to_head: bool = False) -> tuple[int, dict[str, str], bytes]:
    """One response from ``sock`` (what follows it stays in ``buffer``)."""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before a response head")
        buffer += chunk
    head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    buffer[:] = rest
    if to_head:  # a response to HEAD has no body, whatever Content-Length says
        body = b""
    elif "content-length" in headers:
        size = int(headers["content-length"])
        while len(buffer) < size:
            buffer += sock.recv(65536)
        body = bytes(buffer[:size])
        del buffer[:size]
    elif headers.get("transfer-encoding") == "chunked":
        body = b""
        while True:
            while b"\r\n" not in buffer:
                buffer += sock.recv(65536)
            size_line, _, _ = bytes(buffer).partition(b"\r\n")
            size = int(size_line, 16)
            need = len(size_line) + 2 + size + 2
            while len(buffer) < need:
                buffer += sock.recv(65536)
            body += bytes(buffer[len(size_line) + 2:len(size_line) + 2 + size])
            del buffer[:need]
            if size == 0:
                break
    else:
        body = b""
    return status, headers, body


def closed_by_peer(sock: socket.socket, within: float = 3.0) -> bool:
    sock.settimeout(within)
    try:
        return sock.recv(1) == b""
    except (TimeoutError, socket.timeout):
        return False
    except ConnectionResetError:
        return True


def test_keep_alive_serves_several_requests_on_one_connection(server: RunningServer) -> None:
    with connect(server) as sock:
        buffer = bytearray()
        for index in range(3):
            sock.sendall(f"GET /n/{index}?q={index} HTTP/1.1\r\nHost: t\r\n\r\n".encode())
            status, headers, body = read_response(sock, buffer)
            assert status == 200
            assert json.loads(body)["raw_path"] == f"/n/{index}"
            assert json.loads(body)["query"] == f"q={index}"
            assert "connection" not in headers


def test_pipelined_requests_are_answered_in_order(server: RunningServer) -> None:
    with connect(server) as sock:
        sock.sendall(b"GET /first HTTP/1.1\r\nHost: t\r\n\r\n"
                     b"POST /second HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nbody"
                     b"GET /third HTTP/1.1\r\nHost: t\r\n\r\n")
        buffer = bytearray()
        answers = [json.loads(read_response(sock, buffer)[2]) for _ in range(3)]
    assert [a["raw_path"] for a in answers] == ["/first", "/second", "/third"]
    assert answers[1]["body"] == "body"


def test_expect_100_continue_is_answered_before_the_body_is_sent(server: RunningServer) -> None:
    with connect(server) as sock:
        sock.sendall(b"POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
                     b"Expect: 100-continue\r\n\r\n")
        interim = sock.recv(65536)
        assert interim.startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
        buffer = bytearray(interim[len(b"HTTP/1.1 100 Continue\r\n\r\n"):])
        sock.sendall(b"hello")
        status, _, body = read_response(sock, buffer)
    assert status == 200
    assert json.loads(body)["body"] == "hello"


def test_http_1_0_and_connection_close_end_the_connection(server: RunningServer) -> None:
    for request in (b"GET /old HTTP/1.0\r\n\r\n",
                    b"GET /bye HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"):
        with connect(server) as sock:
            sock.sendall(request)
            status, headers, _ = read_response(sock, bytearray())
            assert status == 200
            assert headers["connection"] == "close"
            assert closed_by_peer(sock)


def test_a_malformed_request_gets_400_and_the_connection_closes(server: RunningServer) -> None:
    with connect(server) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: t\r\nBad Header Line\r\n\r\n")
        status, headers, body = read_response(sock, bytearray())
        assert status == 400
        assert headers["connection"] == "close"
        assert b"Invalid HTTP request" in body
        assert closed_by_peer(sock)


def test_an_idle_connection_is_closed_after_the_keep_alive_timeout(
        server: RunningServer) -> None:
    with connect(server) as sock:
        sock.sendall(b"GET /x HTTP/1.1\r\nHost: t\r\n\r\n")
        assert read_response(sock, bytearray())[0] == 200
        assert not closed_by_peer(sock, within=0.3)  # kept open at first (the timeout is 1 s)
        assert closed_by_peer(sock, within=5.0)  # then closed, idle


def test_a_busy_connection_outlives_the_keep_alive_timeout(server: RunningServer) -> None:
    """The idle timer is re-armed lazily: requests more often than the timeout keep it open."""
    with connect(server) as sock:
        buffer = bytearray()
        for _ in range(6):
            sock.sendall(b"GET /x HTTP/1.1\r\nHost: t\r\n\r\n")
            assert read_response(sock, buffer)[0] == 200
            time.sleep(0.4)  # 2.4 s in all, the timeout is 1 s: never idle for that long


def test_an_absolute_form_target_reaches_the_app_as_sent(server: RunningServer) -> None:
    with connect(server) as sock:
        sock.sendall(b"GET http://elsewhere.example/secret HTTP/1.1\r\nHost: t\r\n\r\n")
        _, _, body = read_response(sock, bytearray())
    assert json.loads(body)["raw_path"] == "http://elsewhere.example/secret"


def test_responses_without_a_length_are_chunked_and_head_gets_no_body(
        server: RunningServer) -> None:
    with connect(server) as sock:
        buffer = bytearray()
        sock.sendall(b"GET /stream HTTP/1.1\r\nHost: t\r\n\r\n")
        status, headers, body = read_response(sock, buffer)
        assert (status, headers["transfer-encoding"], body) == (200, "chunked", b"onetwothree")
        sock.sendall(b"HEAD /x HTTP/1.1\r\nHost: t\r\n\r\n")
        status, headers, _ = read_response(sock, buffer, to_head=True)
        assert status == 200 and int(headers["content-length"]) > 0
        sock.sendall(b"GET /nothing HTTP/1.1\r\nHost: t\r\n\r\n")
        head_status, head_headers, _ = read_response(sock, buffer)
        assert head_status == 204 and "transfer-encoding" not in head_headers
        # The HEAD response carried no body: the next response starts right after the heads.
        sock.sendall(b"GET /after HTTP/1.1\r\nHost: t\r\n\r\n")
        assert json.loads(read_response(sock, buffer)[2])["raw_path"] == "/after"


def test_a_header_that_would_split_the_response_becomes_a_500(server: RunningServer) -> None:
    with connect(server) as sock:
        sock.sendall(b"GET /split HTTP/1.1\r\nHost: t\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    assert data.startswith(b"HTTP/1.1 500 ")
    assert b"stolen" not in data


def test_an_app_that_fails_gets_a_500_and_one_that_stops_short_a_cut_connection(
        server: RunningServer) -> None:
    with connect(server) as sock:
        sock.sendall(b"GET /boom HTTP/1.1\r\nHost: t\r\n\r\n")
        status, headers, body = read_response(sock, bytearray())
        assert (status, body) == (500, b"Internal Server Error")
        assert headers["connection"] == "close"
    with connect(server) as sock:
        sock.sendall(b"GET /unfinished HTTP/1.1\r\nHost: t\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert body == b"12345"  # 5 of the 10 announced bytes, then the connection closed


def test_an_http_1_0_client_gets_an_unframed_body_ended_by_the_close(
        server: RunningServer) -> None:
    with connect(server) as sock:
        sock.sendall(b"GET /stream HTTP/1.0\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert b"transfer-encoding" not in head.lower()  # HTTP/1.0 has no chunked coding
    assert b"connection: close" in head.lower()
    assert body == b"onetwothree"


def test_a_kept_alive_connection_gets_the_current_date_header() -> None:
    # With uvicorn's Date header on (strangler's own serve turns it off), the date must be
    # the response's, not the one of the moment the connection was opened.
    options = dict(UVICORN_OPTIONS, date_header=True, log_level="critical")
    with running(app, http=HttpServerProtocol, **options) as dated, connect(dated) as sock:
        buffer = bytearray()
        dates = []
        for _ in range(2):
            sock.sendall(b"GET /n HTTP/1.1\r\nHost: t\r\n\r\n")
            status, headers, _ = read_response(sock, buffer)
            assert status == 200
            dates.append(parsedate_to_datetime(headers["date"]))
            time.sleep(1.6)  # uvicorn renews its Date header once a second
        assert dates[1] > dates[0]


def test_a_head_trickled_byte_by_byte_must_still_end_within_the_timeout(
        server: RunningServer) -> None:
    # Slowloris: each byte arrives well within the keep-alive timeout (1 s here), the head
    # never ends. The head's time counts from its first byte, so the connection closes.
    with connect(server) as sock:
        sock.sendall(b"GET /slow HTTP/1.1\r\nHost: t\r\n")
        closed = False
        for _ in range(12):  # 12 bytes over ~6 s: six times the timeout
            try:
                sock.sendall(b"X")
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            if closed_by_peer(sock, within=0.5):
                closed = True
                break
        assert closed


def test_past_the_pipelining_limit_the_connection_ends_after_the_queued_answers(
        server: RunningServer) -> None:
    sent = 100  # in one write: parsed together, far more than MAX_PIPELINED
    with connect(server) as sock:
        sock.sendall(b"".join(f"GET /p/{n} HTTP/1.1\r\nHost: t\r\n\r\n".encode()
                              for n in range(sent)))
        buffer, answered = bytearray(), []
        while True:
            try:
                status, _, body = read_response(sock, buffer)
            except ConnectionError:
                break  # closed after the last queued answer
            assert status == 200
            answered.append(json.loads(body)["raw_path"])
    # the one being answered plus those queued behind it, in order; the rest never read
    assert answered == [f"/p/{n}" for n in range(MAX_PIPELINED + 1)]


@pytest.mark.parametrize("request_bytes", [
    b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"
    b"0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
    b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: t\r\nX-A: a\r\n b\r\n\r\n",
    b"GET / HTTP/1.1\nHost: t\n\n",
    b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: +5\r\n\r\nhello",
    b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n",
    b"GET / HTTP/1.1\r\nHost: t\r\nX-A: a\x00b\r\n\r\n",
], ids=["cl-te", "te-cl", "two-lengths", "chunked-identity", "xchunked", "space-before-colon",
        "obs-fold", "bare-lf", "plus-length", "chunk-size-overflow", "nul"])
def test_ambiguous_framing_is_refused_before_the_app_sees_it(server: RunningServer,
                                                             request_bytes: bytes) -> None:
    with connect(server) as sock:
        sock.sendall(request_bytes)
        status, _, _ = read_response(sock, bytearray())
        assert status == 400
        assert closed_by_peer(sock)
