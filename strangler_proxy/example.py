"""A mismatch example as kept for people to read: redacted, then cut to size."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from strangler_proxy.compare.compare import decoded_body
from strangler_proxy.compare.paths import generalise
from strangler_proxy.compare.result import Difference
from strangler_proxy.redact import (
    REDACTED,
    RedactRules,
    redact_body,
    redact_headers,
    redact_target,
    scrub,
)
from strangler_proxy.snapshots import RequestSnapshot, ResponseSnapshot


@dataclass(frozen=True, slots=True)
class ShadowExample:
    """The raw material of an example; it may hold secrets until :func:`prepare_example`."""

    request: RequestSnapshot
    primary: ResponseSnapshot
    candidate: ResponseSnapshot
    differences: tuple[Difference, ...]


@dataclass(frozen=True, slots=True)
class StoredExample:
    id: int
    route: str
    created_at: float
    signature: str
    method: str
    target: str
    data: dict[str, Any]  # the whole redacted payload (request, primary, candidate, differences)

    @classmethod
    def from_payload(cls, id_: int, route: str, created_at: float,
                     payload: dict[str, Any]) -> StoredExample:
        return cls(id_, route, created_at, payload["signature"], payload["method"],
                   payload["target"], payload)


def prepare_example(example: ShadowExample, rules: RedactRules,
                    max_bytes: int) -> dict[str, Any]:
    """Redact every part, then cut the bodies so the JSON payload fits ``max_bytes``."""
    differences = [_redact_difference(d, rules) for d in example.differences]
    signature = generalise(example.differences[0].path) if example.differences else "match"
    request = example.request
    payload: dict[str, Any] = {
        "signature": signature,
        "method": request.method,
        "target": redact_target(request.path, rules),
        "request": {"headers": [list(h) for h in redact_headers(request.headers, rules)]},
        "primary": _response(example.primary, rules),
        "candidate": _response(example.candidate, rules),
        "differences": differences,
    }
    bodies = {
        "request": redact_body(request.body, request.header("content-type") or "", rules),
        "primary": redact_body(decoded_body(example.primary), example.primary.content_type, rules),
        "candidate": redact_body(decoded_body(example.candidate), example.candidate.content_type,
                                 rules),
    }
    fixed = len(json.dumps(payload, ensure_ascii=False).encode())
    while fixed > max_bytes // 2 and payload["differences"]:
        # keep at least half the room for bodies: drop differences from the end
        payload["differences"] = payload["differences"][:-1]
        payload["differences_truncated"] = True
        fixed = len(json.dumps(payload, ensure_ascii=False).encode())
    # what the fixed part does not use is shared evenly by the three bodies
    share = max((max_bytes - fixed) // 3 - 64, 0)
    for part, body in bodies.items():
        text = body.decode("utf-8", errors="replace")
        payload[part]["body"], payload[part]["body_truncated"] = _fit(text, share)
    return payload


def _response(snapshot: ResponseSnapshot, rules: RedactRules) -> dict[str, Any]:
    return {"status": snapshot.status,
            "headers": [list(h) for h in redact_headers(snapshot.headers, rules)],
            "latency_ms": snapshot.latency_ms}


def _redact_difference(difference: Difference, rules: RedactRules) -> dict[str, str | None]:
    secret = rules.is_secret_path(difference.path) or (
        difference.path.startswith("header:") and difference.path[7:] in rules.headers)

    def clean(value: str | None) -> str | None:
        if value is None:
            return None
        return REDACTED if secret else scrub(value.encode(), rules).decode()

    return {"path": difference.path, "kind": difference.kind,
            "primary": clean(difference.primary), "candidate": clean(difference.candidate)}


def _fit(text: str, limit: int) -> tuple[str, bool]:
    # JSON escaping can grow a character to 6 bytes, so measure the encoded form
    if len(json.dumps(text, ensure_ascii=False).encode()) <= limit:
        return text, False
    low, high = 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if len(json.dumps(text[:mid], ensure_ascii=False).encode()) <= limit:
            low = mid
        else:
            high = mid - 1
    return text[:low], True


def redact_example(example: ShadowExample, rules: RedactRules) -> ShadowExample:
    """The example with a route's own redaction rules applied (the store adds its defaults).

    Bodies are decoded first (gzip/deflate), so the coding header goes with them.
    """
    request = example.request
    cleaned_request = replace(
        request, path=redact_target(request.path, rules),
        headers=redact_headers(request.headers, rules),
        body=redact_body(request.body, request.header("content-type") or "", rules))
    differences = tuple(
        Difference(d.path, d.kind, **_redacted_values(d, rules)) for d in example.differences)
    return ShadowExample(cleaned_request, _clean_response(example.primary, rules),
                         _clean_response(example.candidate, rules), differences)


def _clean_response(snapshot: ResponseSnapshot, rules: RedactRules) -> ResponseSnapshot:
    headers = tuple(h for h in redact_headers(snapshot.headers, rules)
                    if h[0].lower() != "content-encoding")
    body = redact_body(decoded_body(snapshot), snapshot.content_type, rules)
    return replace(snapshot, headers=headers, body=body)


def _redacted_values(difference: Difference, rules: RedactRules) -> dict[str, str | None]:
    cleaned = _redact_difference(difference, rules)
    return {"primary": cleaned["primary"], "candidate": cleaned["candidate"]}
