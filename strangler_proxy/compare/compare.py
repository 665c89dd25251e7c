"""Compare a primary and a candidate response: status, chosen headers, body."""

from __future__ import annotations

import json
import zlib

from strangler_proxy.compare import normalizers
from strangler_proxy.compare.json_diff import diff_json
from strangler_proxy.compare.result import BodyKind, Comparison, Difference, cut
from strangler_proxy.compare.rules import CompareRules
from strangler_proxy.snapshots import ResponseSnapshot

TEXT_CONTEXT = 60  # characters shown either side of the first differing character
MAX_INFLATED = 8 * 1024 * 1024  # a compressed body is never inflated past this


def compare(primary: ResponseSnapshot, candidate: ResponseSnapshot,
            rules: CompareRules) -> Comparison:
    """Compare two responses under ``rules``; differences are data, never exceptions.

    >>> a = ResponseSnapshot(status=200, headers=(("content-type", "application/json"),),
    ...                      body=b'{"results": [{"title": "A"}]}')
    >>> b = ResponseSnapshot(status=200, headers=(("content-type", "application/json"),),
    ...                      body=b'{"results": [{"title": "B"}]}')
    >>> compare(a, b, CompareRules()).paths()
    ('results[0].title',)
    """
    found: list[Difference] = []
    ignored = 0
    limit = rules.max_value_chars
    if rules.compare_status and primary.status != candidate.status:
        found.append(Difference("status", "status", str(primary.status), str(candidate.status)))
    want = rules.headers
    left = normalizers.header_values(primary.headers, want, rules.builtin_normalizers)
    right = normalizers.header_values(candidate.headers, want, rules.builtin_normalizers)
    for name in sorted(set(left) | set(right)):
        if left.get(name) != right.get(name):
            path = f"header:{name}"
            if rules.is_ignored(path):
                ignored += 1
                continue
            a, b = left.get(name), right.get(name)
            found.append(Difference(path, "header", a and cut(a, limit), b and cut(b, limit)))
    kind, body_found, body_ignored, truncated = _compare_bodies(primary, candidate, rules)
    found.extend(body_found)
    ignored += body_ignored
    return Comparison(match=not found, differences=tuple(found), body_kind=kind,
                      ignored=ignored, truncated=truncated)


def _compare_bodies(primary: ResponseSnapshot, candidate: ResponseSnapshot,
                    rules: CompareRules) -> tuple[BodyKind, list[Difference], int, bool]:
    a, b = decoded_body(primary), decoded_body(candidate)
    if not a and not b:
        return "empty", [], 0, False
    json_body = _is_json(primary.content_type) or _is_json(candidate.content_type)
    if a == b:  # the common case costs one memcmp, not a parse and a walk
        return ("json" if json_body else "text" if _is_text(primary.content_type)
                else "binary"), [], 0, False
    if json_body:
        left, right = _load_json(a), _load_json(b)
        if left is not _INVALID and right is not _INVALID:
            if rules.builtin_normalizers and _may_need_normalising(a, b):
                left, right = normalizers.normalize_json(left), normalizers.normalize_json(right)
            diffs, ignored, truncated = diff_json(left, right, rules)
            return "json", diffs, ignored, truncated
    if _is_text(primary.content_type) or _is_text(candidate.content_type):
        return "text", _diff_text(a, b, primary.content_type, rules), 0, False
    if a == b:
        return "binary", [], 0, False
    detail = f"{len(a)} bytes", f"{len(b)} bytes"
    return "binary", [Difference("body", "bytes", *detail)], 0, False


def _diff_text(a: bytes, b: bytes, content_type: str, rules: CompareRules) -> list[Difference]:
    html = "html" in content_type and rules.builtin_normalizers
    norm = normalizers.normalize_html if html else normalizers.normalize_text
    left = norm(a.decode("utf-8", errors="replace"))
    right = norm(b.decode("utf-8", errors="replace"))
    if left == right or rules.is_ignored("body"):
        return []
    at = next((i for i, (x, y) in enumerate(zip(left, right)) if x != y), min(len(left),
                                                                               len(right)))
    start = max(at - TEXT_CONTEXT, 0)
    limit = rules.max_value_chars
    # the path stays "body" so counts and noise learning group every text difference
    excerpt = [f"@{at}: {text[start: at + TEXT_CONTEXT]}" for text in (left, right)]
    return [Difference("body", "text", cut(excerpt[0], limit), cut(excerpt[1], limit))]


def decoded_body(snapshot: ResponseSnapshot) -> bytes:
    """The body with ``gzip``/``deflate`` content coding undone (bounded); else as kept."""
    coding = (snapshot.header("content-encoding") or "").strip().lower()
    if coding not in ("gzip", "deflate") or snapshot.truncated:
        return snapshot.body
    wbits = 16 + zlib.MAX_WBITS if coding == "gzip" else zlib.MAX_WBITS
    try:
        inflater = zlib.decompressobj(wbits)
        return inflater.decompress(snapshot.body, MAX_INFLATED)
    except zlib.error:
        return snapshot.body


_INVALID = object()
_NORMALISED_MARKERS = (b"csrf", b'"next"', b'"previous"')


def _may_need_normalising(a: bytes, b: bytes) -> bool:
    # a byte scan is far cheaper than rebuilding two documents that hold no such key
    return any(m in a or m in b for m in _NORMALISED_MARKERS)


def _load_json(body: bytes) -> object:
    try:
        return json.loads(body)
    except ValueError:
        return _INVALID


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip()
    return media == "application/json" or media.endswith("+json")


def _is_text(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip()
    return media.startswith("text/") or media.endswith(("+xml", "/xml", "/javascript"))
