import json

from strangler_proxy.compare.result import Difference
from strangler_proxy.example import ShadowExample, prepare_example
from strangler_proxy.redact import REDACTED, RedactRules
from strangler_proxy.snapshots import RequestSnapshot, ResponseSnapshot

JSON = (("content-type", "application/json"),)


def example(differences, body=b'{"a": 1}'):
    return ShadowExample(RequestSnapshot(method="GET", path="/x?token=t0p&p=1"),
                         ResponseSnapshot(status=200, headers=JSON, body=body),
                         ResponseSnapshot(status=200, headers=JSON, body=body),
                         tuple(differences))


def test_difference_values_are_redacted_by_path_header_and_pattern():
    differences = [
        Difference("user.password", "changed", '"old-pw"', '"new-pw"'),
        Difference("header:set-cookie", "header", "sessionid", None),
        Difference("user", "missing", '{"name": "a", "token": "tk-123"}', None),
        Difference("title", "changed", '"A"', '"B"'),
    ]
    payload = prepare_example(example(differences), RedactRules(), 10_000)
    got = {d["path"]: d for d in payload["differences"]}
    assert got["user.password"]["primary"] == REDACTED == got["user.password"]["candidate"]
    assert got["header:set-cookie"]["primary"] == REDACTED
    assert "tk-123" not in got["user"]["primary"] and '"name": "a"' in got["user"]["primary"]
    assert got["title"]["candidate"] == '"B"'
    assert payload["signature"] == "user.password"
    assert payload["target"] == f"/x?token={REDACTED}&p=1"


def test_many_differences_are_cut_to_leave_room_for_bodies():
    differences = [Difference(f"k{i}", "changed", "x" * 150, "y" * 150) for i in range(100)]
    payload = prepare_example(example(differences, body=b'{"b": 2}'), RedactRules(), 4096)
    assert payload["differences_truncated"] is True
    assert 0 < len(payload["differences"]) < 100
    assert len(json.dumps(payload, ensure_ascii=False).encode()) <= 4096
    assert payload["primary"]["body"] == '{"b": 2}' and not payload["primary"]["body_truncated"]


def test_signature_generalises_indices():
    payload = prepare_example(example([Difference("results[7].title", "changed", "1", "2")]),
                              RedactRules(), 4096)
    assert payload["signature"] == "results[*].title"
