"""Path normalisation: table cases and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from strangler_proxy.errors import BadRequest
from strangler_proxy.normalize import normalize_path


@pytest.mark.parametrize(("raw", "expected"), [
    (b"/", "/"),
    (b"/api/catalog/", "/api/catalog/"),
    (b"/api//catalog/", "/api/catalog/"),
    (b"//api///catalog", "/api/catalog"),
    (b"/api/./catalog", "/api/catalog"),
    (b"/api/x/../catalog", "/api/catalog"),
    (b"/api/%63atalog/", "/api/catalog/"),
    (b"/api/%7Euser/%41", "/api/~user/A"),
    (b"/a/%2e%2e/b", "/b"),  # decoded dots are dot segments too
    (b"/../../etc", "/etc"),  # never above the root
    (b"/a/b/..", "/a/"),
    (b"/a/.", "/a/"),
    (b"/a/%e2%82%ac", "/a/%E2%82%AC"),  # reserved/non-ASCII escapes kept, upper-cased
    (b"/a/%25", "/a/%25"),  # a literal percent is not decoded twice
    (b"/a.b/.c", "/a.b/.c"),
])
def test_normalises(raw: bytes, expected: str) -> None:
    assert normalize_path(raw) == expected


@pytest.mark.parametrize("raw", [
    b"http://example.com/", b"*", b"example.com:443", b"", b"/api/catalog%2f..", b"/a%2Fb",
    b"/a%00", b"/a%5cb", b"/a\\b", b"/a b", b"/a\x00", b"/a%zz", b"/a%2", b"/caf\xc3\xa9",
])
def test_refuses(raw: bytes) -> None:
    with pytest.raises(BadRequest):
        normalize_path(raw)


PATH_BYTES = st.lists(st.sampled_from(
    [b"/", b"a", b"b", b".", b"..", b"%2e", b"%63", b"%2F", b"%25", b"~", b"%7e", b"-"]),
    max_size=12).map(lambda parts: b"/" + b"".join(parts))


@given(PATH_BYTES)
def test_normal_form_is_stable_and_clean(raw: bytes) -> None:
    try:
        once = normalize_path(raw)
    except BadRequest:
        return
    assert normalize_path(once.encode()) == once  # idempotent: routed == forwarded
    assert once.startswith("/")
    assert "//" not in once
    segments = once.split("/")
    assert "." not in segments and ".." not in segments
