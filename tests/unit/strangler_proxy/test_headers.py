"""Header hygiene: pure functions over header lists."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from strangler_proxy.headers import (
    Trust,
    prepare_request,
    redact_headers,
    redact_query,
    response_header_lines,
    response_headers,
)


def names(headers: list[tuple[bytes, bytes]]) -> list[bytes]:
    return [name for name, _ in headers]


def test_hop_by_hop_and_connection_named_headers_are_dropped() -> None:
    prepared = prepare_request([
        (b"host", b"shop.example"), (b"connection", b"keep-alive, X-Private"),
        (b"x-private", b"1"), (b"keep-alive", b"300"), (b"te", b"trailers"),
        (b"transfer-encoding", b"chunked"), (b"upgrade", b"h2c"),
        (b"proxy-authorization", b"Basic x"), (b"content-length", b"5"),
        (b"accept", b"*/*"), (b"traceparent", b"00-abc-def-01"),
    ], peer="192.0.2.1", scheme="http", trust=Trust())
    kept = names(prepared.headers)
    for dropped in (b"connection", b"x-private", b"keep-alive", b"te", b"transfer-encoding",
                    b"upgrade", b"proxy-authorization", b"content-length", b"host"):
        assert dropped not in kept
    assert (b"accept", b"*/*") in prepared.headers
    assert (b"traceparent", b"00-abc-def-01") in prepared.headers
    assert (prepared.host, prepared.content_length, prepared.chunked) == (b"shop.example", 5, True)
    assert prepared.conditions["accept"] == "*/*"
    assert prepared.header_bytes > 100


def test_forwarding_headers_from_an_untrusted_peer_are_replaced() -> None:
    prepared = prepare_request([
        (b"host", b"shop.example"), (b"x-forwarded-for", b"6.6.6.6"),
        (b"x-forwarded-proto", b"https"), (b"forwarded", b"for=6.6.6.6"),
    ], peer="192.0.2.1", scheme="http", trust=Trust(["10.0.0.0/8"]))
    headers = dict(prepared.headers)
    assert headers[b"x-forwarded-for"] == b"192.0.2.1"
    assert headers[b"x-forwarded-proto"] == b"http"
    assert headers[b"x-forwarded-host"] == b"shop.example"
    assert headers[b"forwarded"] == b'for=192.0.2.1;proto=http;host="shop.example"'


def test_forwarding_headers_from_a_trusted_proxy_are_extended() -> None:
    prepared = prepare_request([
        (b"x-forwarded-for", b"203.0.113.5"), (b"x-forwarded-for", b"10.1.1.1"),
        (b"x-forwarded-proto", b"https"), (b"forwarded", b"for=203.0.113.5"),
    ], peer="10.0.0.2", scheme="http", trust=Trust(["10.0.0.0/8"]))
    headers = dict(prepared.headers)
    assert headers[b"x-forwarded-for"] == b"203.0.113.5, 10.1.1.1, 10.0.0.2"
    assert headers[b"x-forwarded-proto"] == b"https"
    assert headers[b"forwarded"] == b"for=203.0.113.5, for=10.0.0.2;proto=http"
    assert b"x-forwarded-host" not in headers  # no Host anywhere


def test_ipv6_peer_is_quoted_in_forwarded() -> None:
    prepared = prepare_request([], peer="::1", scheme="https", trust=Trust())
    assert dict(prepared.headers)[b"forwarded"] == b'for="[::1]";proto=https'


def test_request_id_kept_when_sane_else_generated() -> None:
    kept = prepare_request([(b"x-request-id", b"abc-123")], peer="", scheme="http", trust=Trust())
    assert kept.request_id == "abc-123"
    assert (b"x-request-id", b"abc-123") in kept.headers
    odd = prepare_request([(b"x-request-id", b"a b\r\n")], peer="", scheme="http", trust=Trust())
    assert odd.request_id != "a b\r\n"
    assert len(odd.request_id) == 32
    fresh = prepare_request([], peer="", scheme="http", trust=Trust())
    assert (b"x-request-id", fresh.request_id.encode()) in fresh.headers


def test_response_headers_keep_duplicates_and_drop_hop_by_hop() -> None:
    out = response_headers([
        (b"Set-Cookie", b"a=1"), (b"set-cookie", b"b=2"), (b"Connection", b"close, X-Hop"),
        (b"X-Hop", b"1"), (b"Transfer-Encoding", b"chunked"), (b"Content-Length", b"10"),
        (b"x-request-id", b"upstream-made"),
    ], "rid-1")
    assert out == [(b"set-cookie", b"a=1"), (b"set-cookie", b"b=2"), (b"content-length", b"10"),
                   (b"x-request-id", b"rid-1")]


def test_redaction() -> None:
    assert redact_headers([(b"Authorization", b"Bearer s"), ("Cookie", "sid=1"),
                           (b"Accept", b"*/*")]) == [
        ("Authorization", "[redacted]"), ("Cookie", "[redacted]"), ("Accept", "*/*")]
    redacted = redact_query(b"token=abc&page=2&api_key=k&password=p")
    assert "abc" not in redacted and "=k" not in redacted and "=p&" not in redacted + "&"
    assert "page=2" in redacted
    assert redact_query(b"") == ""


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(
    st.sampled_from([b"Content-Type", b"content-length", b"Connection", b"Keep-Alive",
                     b"X-Request-ID", b"Set-Cookie", b"X-Custom", b"Transfer-Encoding"]),
    st.sampled_from([b"1", b"close", b"x-custom", b"keep-alive, X-Custom", b"a=b"])),
    max_size=6))
def test_response_header_lines_render_exactly_response_headers(
        upstream: list[tuple[bytes, bytes]]) -> None:
    pairs = response_headers(upstream, "rid-1")
    lines, framed = response_header_lines(upstream, "rid-1")
    assert lines == b"".join(b"%s: %s\r\n" % pair for pair in pairs)
    assert framed == any(name == b"content-length" for name, _ in pairs)
