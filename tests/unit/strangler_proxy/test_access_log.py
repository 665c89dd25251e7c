"""The access log line: valid JSON whatever the values, and no secrets."""

from __future__ import annotations

import io
import json

from strangler_proxy.access_log import AccessLog


def test_line_is_json_with_redacted_query() -> None:
    stream = io.StringIO()
    log = AccessLog(stream=stream)
    log.record(request_id="r1", method="GET", path='/a/"quoted"/\u00e9', query=b"token=s3&x=1",
               route="cat", upstream="cat", status=504, duration=0.0123, client="::1",
               error='upstream timed out ("read")')
    log.record(request_id="r2", method="POST", path="/b", query=b"", route="default",
               upstream="monolith", status=200, duration=0.5, client="10.0.0.1")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["path"] == '/a/"quoted"/\u00e9'
    assert first["query"] == "token=[redacted]&x=1"
    assert first["error"] == 'upstream timed out ("read")'
    assert (first["status"], first["duration_ms"], first["client"]) == (504, 12.3, "::1")
    assert "query" not in second and "error" not in second
    assert set(second) == {"ts", "request_id", "method", "path", "route", "upstream", "status",
                           "duration_ms", "client"}


def test_disabled_log_writes_nothing() -> None:
    stream = io.StringIO()
    AccessLog(enabled=False, stream=stream).record(
        request_id="r", method="GET", path="/", query=b"", route="-", upstream="-", status=200,
        duration=0.0, client="")
    assert stream.getvalue() == ""
