from strangler_proxy.compare.normalizers import (
    CSRF_PLACEHOLDER,
    cookie_name,
    header_values,
    normalize_content_type,
    normalize_html,
    normalize_json,
    normalize_text,
    strip_origin,
)


def test_json_csrf_and_pagination_links():
    doc = {"csrf_token": "abc", "next": "http://monolith:8000/api/t/?page=3",
           "previous": None, "results": [{"csrfToken": "q", "url": "http://x/y"}]}
    assert normalize_json(doc) == {
        "csrf_token": CSRF_PLACEHOLDER, "next": "/api/t/?page=3", "previous": None,
        "results": [{"csrfToken": CSRF_PLACEHOLDER, "url": "http://x/y"}]}


def test_strip_origin_only_touches_absolute_http_urls():
    assert strip_origin("https://svc:8001/api/?page=2#f") == "/api/?page=2#f"
    assert strip_origin("http://svc") == "/"
    assert strip_origin("/relative/?page=2") == "/relative/?page=2"
    assert strip_origin("mailto:a@b") == "mailto:a@b"


def test_html_csrf_inputs_in_any_attribute_order():
    one = ('<form><input type="hidden" name="csrfmiddlewaretoken" value="AAA">'
           '<input name="q" value="keep"></form>')
    two = ("<form>\n  <input value='BBB' name=csrfmiddlewaretoken type=hidden>"
           '<input name="q" value="keep"></form>')
    assert "AAA" not in normalize_html(one)
    assert 'value="keep"' in normalize_html(one)
    assert normalize_html(one).replace('"', "'").count(CSRF_PLACEHOLDER) == 1
    assert "BBB" not in normalize_html(two)


def test_text_whitespace_collapses():
    assert normalize_text("  a\n\n b\t c  ") == "a b c"


def test_header_values_builtins():
    headers = [("Date", "Mon"), ("Content-Type", "application/json;charset=UTF-8"),
               ("Set-Cookie", "sessionid=abc; HttpOnly"), ("set-cookie", "csrftoken=x; Path=/"),
               ("X-Custom", "1")]
    got = header_values(headers, ["date", "content-type", "set-cookie", "x-custom"])
    assert got == {"content-type": "application/json; charset=utf-8",
                   "set-cookie": "csrftoken, sessionid", "x-custom": "1"}
    raw = header_values(headers, ["date", "set-cookie"], builtin=False)
    assert raw["date"] == "Mon" and "abc" in raw["set-cookie"]


def test_small_helpers():
    assert cookie_name(" sessionid=abc; Path=/") == "sessionid"
    assert normalize_content_type("Text/HTML ; Charset=utf-8") == "text/html; charset=utf-8"
