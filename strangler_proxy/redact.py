"""Redaction before anything is stored: secrets are replaced, never kept.

Pure functions. Header values (``Authorization``, ``Cookie``, ``Set-Cookie``,
``Proxy-Authorization`` and any configured name) become ``[redacted]``; JSON body fields
chosen by path glob (``**.password``) and query parameters (``token``) likewise. A body
that cannot be parsed (truncated JSON, a form) is scrubbed by pattern for the same field
names, so a cut-off copy cannot smuggle a password past the parser. Redacting twice
changes nothing.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from strangler_proxy.compare.paths import (
    ROOT,
    PathGlob,
    any_match,
    compile_glob,
    join_index,
    join_key,
)

REDACTED = "[redacted]"
DEFAULT_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie",
                             "x-api-key", "x-csrftoken"})
DEFAULT_FIELDS: tuple[str, ...] = ("**.password", "**.password1", "**.password2", "**.token",
                                   "**.access", "**.refresh", "**.secret", "**.api_key",
                                   "**.card_number", "**.cvv", "**.csrfmiddlewaretoken",
                                   "**.csrf_token", "**.csrftoken", "**.sessionid",
                                   "**.session_key")
DEFAULT_QUERY = frozenset({"token", "password", "access_token", "api_key", "key", "secret",
                           "signature"})


@dataclass(frozen=True, slots=True, kw_only=True)
class RedactRules:
    """What to redact; configured names add to the defaults, never replace them."""

    headers: frozenset[str] = DEFAULT_HEADERS
    fields: tuple[PathGlob, ...] = field(
        default_factory=lambda: tuple(compile_glob(g) for g in DEFAULT_FIELDS))
    query: frozenset[str] = DEFAULT_QUERY

    @classmethod
    def build(cls, *, headers: tuple[str, ...] | list[str] = (),
              fields: tuple[str, ...] | list[str] = (),
              query: tuple[str, ...] | list[str] = ()) -> RedactRules:
        return cls(
            headers=DEFAULT_HEADERS | {h.lower() for h in headers},
            fields=tuple(compile_glob(g) for g in (*DEFAULT_FIELDS, *fields)),
            query=DEFAULT_QUERY | {q.lower() for q in query},
        )

    def field_names(self) -> frozenset[str]:
        """Last segments of the field globs, for pattern scrubbing of unparsable bodies."""
        names = {g.tokens[-1] for g in self.fields if g.tokens}
        return frozenset(n for n in names if not n.startswith("[") and "*" not in n)

    def is_secret_path(self, path: str) -> bool:
        return any_match(self.fields, path)


def redact_headers(headers: tuple[tuple[str, str], ...] | list[tuple[str, str]],
                   rules: RedactRules) -> tuple[tuple[str, str], ...]:
    return tuple((name, REDACTED if name.lower() in rules.headers else value)
                 for name, value in headers)


def redact_json(value: object, rules: RedactRules, path: str = ROOT) -> object:
    """A copy of a decoded JSON value with secret fields replaced."""
    if isinstance(value, dict):
        out: dict[str, object] = {}
        for key, item in value.items():
            sub = join_key(path, key)
            out[key] = REDACTED if rules.is_secret_path(sub) else redact_json(item, rules, sub)
        return out
    if isinstance(value, list):
        return [redact_json(item, rules, join_index(path, i)) for i, item in enumerate(value)]
    return value


def redact_body(body: bytes, content_type: str, rules: RedactRules) -> bytes:
    """The body with secret fields replaced; JSON and forms parsed, anything else scrubbed."""
    if not body:
        return body
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "application/json" or media.endswith("+json"):
        try:
            return json.dumps(redact_json(json.loads(body), rules),
                              ensure_ascii=False).encode()
        except ValueError:
            pass  # truncated or broken: fall through to the pattern scrub
    if media == "application/x-www-form-urlencoded":
        text = body.decode("latin-1")
        return _redact_pairs(text, rules.field_names() | rules.query).encode("latin-1")
    return scrub(body, rules)


def scrub(body: bytes, rules: RedactRules) -> bytes:
    """Pattern-based scrub of ``"name": "value"`` and ``name=value`` for secret names."""
    names = rules.field_names() | rules.query
    if not names:
        return body
    json_field, pair = _scrub_patterns(frozenset(names))
    text = body.decode("utf-8", errors="replace")
    text = json_field.sub(rf'\1"{REDACTED}"', text)
    text = pair.sub(rf"\1{REDACTED}", text)
    # Django form tokens appear as value="..." after name="csrfmiddlewaretoken"
    text = _CSRF_FIELD.sub(rf"\1{REDACTED}", text)
    return text.encode()


_CSRF_FIELD = re.compile(r'(name=["\']?csrfmiddlewaretoken["\']?[^>]*?value=["\'])([^"\']*)',
                         re.IGNORECASE)


@functools.lru_cache(maxsize=64)
def _scrub_patterns(names: frozenset[str]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Built once per set of secret names: the shadow worker scrubs every stored example."""
    alternatives = "|".join(re.escape(n) for n in sorted(names))
    return (re.compile(rf'("(?:{alternatives})"\s*:\s*)("(?:[^"\\]|\\.)*"?|[^,}}\]\s]+)',
                       re.IGNORECASE),
            re.compile(rf"(\b(?:{alternatives})=)([^&\s\"'<>]*)", re.IGNORECASE))


def redact_target(target: str, rules: RedactRules) -> str:
    """A path with query, secret parameters replaced: ``/x?token=a&p=1`` -> ``/x?token=[redacted]&p=1``."""
    parts = urlsplit(target)
    if not parts.query:
        return target
    return urlunsplit(parts._replace(query=_redact_pairs(parts.query, rules.query)))


def _redact_pairs(query: str, names: frozenset[str]) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    lowered = {n.lower() for n in names}
    cleaned = [(k, REDACTED if k.lower() in lowered else v) for k, v in pairs]
    return urlencode(cleaned, safe="[]")
