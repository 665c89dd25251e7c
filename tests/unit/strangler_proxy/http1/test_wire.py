"""The request head: one join, Host added first when absent, framing header last."""

from __future__ import annotations

import pytest

from strangler_proxy.http1.errors import LocalProtocolError
from strangler_proxy.http1.wire import chunk_header, encode_bodyless_head, encode_head


def test_head_with_host_given_and_content_length() -> None:
    headers = [(b"Host", b"shop"), (b"x-id", b"7")]
    head = encode_head(b"POST", b"/a?b=1", headers, b"up:80", 3, False)
    assert head == b"POST /a?b=1 HTTP/1.1\r\nHost: shop\r\nx-id: 7\r\ncontent-length: 3\r\n\r\n"


def test_host_inserted_first_when_absent_and_chunked_framing() -> None:
    head = encode_head(b"PUT", b"/u", [(b"accept", b"*/*")], b"up:8080", None, True)
    assert head == (
        b"PUT /u HTTP/1.1\r\nhost: up:8080\r\naccept: */*\r\ntransfer-encoding: chunked\r\n\r\n"
    )


def test_no_body_means_no_framing_header() -> None:
    assert encode_head(b"GET", b"/", [], b"h", None, False) == b"GET / HTTP/1.1\r\nhost: h\r\n\r\n"


@pytest.mark.parametrize("target", [b"", b"/a b", b"/x\r\nHost: evil", b"/\nX"])
def test_targets_that_could_split_the_request_line_are_refused(target: bytes) -> None:
    with pytest.raises(LocalProtocolError) as caught:
        encode_head(b"GET", target, [], b"h", None, False)
    assert caught.value.request_sent is False


def test_chunk_header_is_hex() -> None:
    assert chunk_header(255) == b"ff\r\n"


@pytest.mark.parametrize("headers", [
    [],
    [(b"x-request-id", b"abc"), (b"x-forwarded-for", b"10.0.0.1"), (b"accept", b"*/*")],
    [(b"set-cookie", b"a=1"), (b"set-cookie", b"b=2")],
])
def test_the_bodyless_head_is_encode_heads_bytes_with_host_last(
        headers: list[tuple[bytes, bytes]]) -> None:
    # the relay and the ASGI path must send an upstream the very same request
    assert encode_bodyless_head(b"GET", b"/a?b=1", headers, b"svc:8000") == encode_head(
        b"GET", b"/a?b=1", [*headers, (b"host", b"svc:8000")], b"unused", None, False)


@pytest.mark.parametrize("target", [b"", b"/a b", b"/a\r\nX: 1", b"/a\n"])
def test_the_bodyless_head_refuses_a_target_that_could_smuggle_a_request(
        target: bytes) -> None:
    with pytest.raises(LocalProtocolError):
        encode_bodyless_head(b"GET", target, [], b"svc")
