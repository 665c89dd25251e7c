import gzip
import json

from strangler_proxy.compare import CompareRules, compare
from strangler_proxy.snapshots import ResponseSnapshot

JSON = (("content-type", "application/json"),)


def resp(body, status=200, headers=JSON, **kw):
    if not isinstance(body, bytes):
        body = json.dumps(body).encode()
    return ResponseSnapshot(status=status, headers=headers, body=body, **kw)


def test_identical_json_matches():
    result = compare(resp({"a": 1}), resp({"a": 1}), CompareRules())
    assert result.match and result.differences == () and result.body_kind == "json"


def test_status_header_and_body_differences():
    a = resp({"a": 1}, headers=JSON + (("x-v", "1"),))
    b = resp({"a": 2}, status=500, headers=(("content-type", "application/json"), ("x-v", "2")))
    result = compare(a, b, CompareRules.build(headers=["content-type", "X-V"]))
    assert not result.match
    assert [(d.path, d.kind) for d in result.differences] == [
        ("status", "status"), ("header:x-v", "header"), ("a", "changed")]
    assert result.differences[0].primary == "200" and result.differences[0].candidate == "500"


def test_date_and_cookie_values_and_csrf_are_not_differences():
    a = resp({"csrf_token": "t1", "next": "http://mono:8000/x/?page=2"},
             headers=JSON + (("date", "Mon"), ("set-cookie", "sessionid=A; HttpOnly")))
    b = resp({"csrf_token": "t2", "next": "http://svc:8001/x/?page=2"},
             headers=JSON + (("date", "Tue"), ("set-cookie", "sessionid=B; HttpOnly")))
    rules = CompareRules.build(headers=["content-type", "date", "set-cookie"])
    assert compare(a, b, rules).match
    strict = CompareRules.build(headers=["date"], builtin_normalizers=False)
    paths = compare(a, b, strict).paths()
    assert set(paths) == {"header:date", "csrf_token", "next"}


def test_set_cookie_names_still_compared():
    a = resp({}, headers=JSON + (("set-cookie", "sessionid=A"),))
    b = resp({}, headers=JSON)
    result = compare(a, b, CompareRules.build(headers=["set-cookie"]))
    assert result.differences[0].path == "header:set-cookie"
    assert result.differences[0].primary == "sessionid" and result.differences[0].candidate is None


def test_html_compared_as_normalised_text():
    html = (("content-type", "text/html; charset=utf-8"),)
    a = resp(b'<p>Hello   world</p>\n<input name="csrfmiddlewaretoken" value="X1">', headers=html)
    b = resp(b'<p>Hello world</p> <input name="csrfmiddlewaretoken" value="Y2">', headers=html)
    assert compare(a, b, CompareRules()).match
    c = resp(b"<p>Hello there</p>", headers=html)
    result = compare(a, c, CompareRules())
    (difference,) = result.differences
    assert (difference.path, difference.kind, result.body_kind) == ("body", "text", "text")
    assert "world" in difference.primary and "there" in difference.candidate


def test_invalid_json_falls_back_to_bytes_and_binary_bodies():
    assert not compare(resp(b"{bad"), resp(b"{worse"), CompareRules()).match
    png = (("content-type", "image/png"),)
    same = compare(resp(b"\x89PNG1", headers=png), resp(b"\x89PNG1", headers=png), CompareRules())
    assert same.match and same.body_kind == "binary"
    other = compare(resp(b"\x89PNG1", headers=png), resp(b"\x89PNG22", headers=png),
                    CompareRules())
    assert other.differences[0].kind == "bytes"


def test_gzip_primary_against_plain_candidate():
    body = json.dumps({"a": [1, 2]}).encode()
    a = resp(gzip.compress(body), headers=JSON + (("content-encoding", "gzip"),))
    assert compare(a, resp(body), CompareRules()).match


def test_empty_bodies_and_ignored_header():
    empty = compare(resp(b"", status=204), resp(b"", status=204), CompareRules())
    assert empty.match and empty.body_kind == "empty"
    a, b = resp({}, headers=JSON + (("etag", "1"),)), resp({}, headers=JSON + (("etag", "2"),))
    result = compare(a, b, CompareRules.build(headers=["etag"], ignore=["header:etag"]))
    assert result.match and result.ignored == 1


def test_noise_rules_are_applied():
    a, b = resp({"ts": 1, "v": 1}), resp({"ts": 2, "v": 1})
    rules = CompareRules.build(ignore=["ts"])
    assert compare(a, b, rules).match and compare(a, b, rules).ignored == 1
