from strangler_proxy.snapshots import (
    RequestSnapshot,
    ResponseSnapshot,
    first_header,
    headers_from_asgi,
)


def test_headers_from_asgi_keeps_repeats_and_lowers_names():
    raw = [(b"Set-Cookie", b"a=1"), (b"set-cookie", b"b=2"), (b"X-Name", b"caf\xe9")]
    assert headers_from_asgi(raw) == (("set-cookie", "a=1"), ("set-cookie", "b=2"),
                                      ("x-name", "café"))


def test_header_lookup_is_case_insensitive():
    headers = (("Content-Type", "Application/JSON"), ("x", "1"))
    assert first_header(headers, "content-type") == "Application/JSON"
    assert ResponseSnapshot(status=200, headers=headers).content_type == "application/json"
    assert RequestSnapshot(method="GET", path="/", headers=headers).header("X") == "1"
    assert ResponseSnapshot(status=204).content_type == ""
