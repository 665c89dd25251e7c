import json

from strangler_proxy.redact import (
    REDACTED,
    RedactRules,
    redact_body,
    redact_headers,
    redact_json,
    redact_target,
    scrub,
)

RULES = RedactRules.build(fields=["**.ssn", "payment.number"], query=["sig2"],
                          headers=["X-Secret"])


def test_secret_headers_are_replaced_case_insensitively():
    headers = (("Authorization", "Bearer abc"), ("cookie", "sessionid=s"),
               ("Set-Cookie", "sessionid=t"), ("Proxy-Authorization", "Basic x"),
               ("x-secret", "v"), ("Accept", "json"))
    out = dict(redact_headers(headers, RULES))
    assert out == {"Authorization": REDACTED, "cookie": REDACTED, "Set-Cookie": REDACTED,
                   "Proxy-Authorization": REDACTED, "x-secret": REDACTED, "Accept": "json"}


def test_json_fields_by_glob_at_any_depth():
    doc = {"user": {"password": "hunter2", "name": "ann", "ssn": "123"},
           "items": [{"token": "t1"}, {"token": "t2"}],
           "payment": {"number": "4111", "amount": 3}, "number": 7}
    out = redact_json(doc, RULES)
    assert out == {"user": {"password": REDACTED, "name": "ann", "ssn": REDACTED},
                   "items": [{"token": REDACTED}, {"token": REDACTED}],
                   "payment": {"number": REDACTED, "amount": 3}, "number": 7}


def test_bodies_by_content_type():
    body = json.dumps({"password": "hunter2", "a": 1}).encode()
    assert b"hunter2" not in redact_body(body, "application/json; charset=utf-8", RULES)
    form = b"username=ann&password=hunter2&next=%2F"
    out = redact_body(form, "application/x-www-form-urlencoded", RULES)
    assert b"hunter2" not in out and b"username=ann" in out
    assert redact_body(b"", "application/json", RULES) == b""


def test_truncated_or_mislabelled_json_is_scrubbed_by_pattern():
    cut = b'{"user": {"name": "ann", "password": "hunter2", "card_number": "4111 1111'
    out = redact_body(cut, "application/json", RULES)
    assert b"hunter2" not in out and b"4111" not in out and b'"name": "ann"' in out
    text = b'token=abc123&x=1 {"token": 99}'
    out = scrub(text, RULES)
    assert b"abc123" not in out and b"99" not in out and b"x=1" in out


def test_html_csrf_form_token_is_scrubbed():
    page = b'<input type="hidden" name="csrfmiddlewaretoken" value="SECRETTOKEN">'
    assert b"SECRETTOKEN" not in redact_body(page, "text/html", RULES)


def test_query_parameters():
    assert redact_target("/api/x/?token=abc&page=2", RULES) == \
        f"/api/x/?token={REDACTED}&page=2"
    assert "zz" not in redact_target("/a?SIG2=zz", RULES)
    assert redact_target("/plain/path", RULES) == "/plain/path"


def test_redaction_is_idempotent_and_defaults_are_kept():
    body = json.dumps({"password": "p", "access": "jwt"}).encode()
    once = redact_body(body, "application/json", RULES)
    assert redact_body(once, "application/json", RULES) == once
    assert json.loads(once) == {"password": REDACTED, "access": REDACTED}
    assert RedactRules.build(fields=["**.x"]).is_secret_path("a.password")
