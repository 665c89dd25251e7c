"""Built-in Django/DRF-aware normalisers: make equal what only differs by design.

- CSRF tokens: ``csrfmiddlewaretoken`` values in HTML forms and ``csrf_token`` /
  ``csrfToken`` keys in JSON become a placeholder (Django masks the token afresh on
  every response, so two correct answers never agree on it).
- ``Date`` is never compared; ``Set-Cookie`` is compared by cookie *names* only
  (session ids and CSRF cookies are per response).
- DRF pagination links (``next`` / ``previous``) keep only path and query: the
  monolith and the service see different hosts.
- Text and HTML: whitespace runs collapse to one space, ends are stripped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

CSRF_PLACEHOLDER = "<csrf>"
CSRF_JSON_KEYS = frozenset({"csrf_token", "csrftoken", "csrfToken", "csrfmiddlewaretoken"})
PAGINATION_KEYS = frozenset({"next", "previous"})
NEVER_COMPARED_HEADERS = frozenset({"date"})

_WS = re.compile(r"\s+")
_INPUT_TAG = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
_CSRF_NAME = re.compile(r"""name\s*=\s*["']?csrfmiddlewaretoken["']?""", re.IGNORECASE)
_VALUE_ATTR = re.compile(r"""(value\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)


def normalize_json(value: object) -> object:
    """A copy of a decoded JSON value with per-response noise replaced."""
    if isinstance(value, dict):
        out: dict[str, object] = {}
        for key, item in value.items():
            if key in CSRF_JSON_KEYS and isinstance(item, str):
                out[key] = CSRF_PLACEHOLDER
            elif key in PAGINATION_KEYS and isinstance(item, str):
                out[key] = strip_origin(item)
            else:
                out[key] = normalize_json(item)
        return out
    if isinstance(value, list):
        return [normalize_json(item) for item in value]
    return value


def strip_origin(url: str) -> str:
    """``http://host:8001/api/x/?page=2`` -> ``/api/x/?page=2``; other strings unchanged."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return url
    return urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment))


def normalize_html(text: str) -> str:
    """Replace CSRF form tokens, then collapse whitespace."""
    return normalize_text(_INPUT_TAG.sub(_blank_csrf_input, text))


def normalize_text(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _blank_csrf_input(match: re.Match[str]) -> str:
    tag = match.group(0)
    if not _CSRF_NAME.search(tag):
        return tag
    return _VALUE_ATTR.sub(lambda m: f"{m.group(1)}{m.group(2)}{CSRF_PLACEHOLDER}{m.group(2)}",
                           tag)


def header_values(headers: Iterable[tuple[str, str]], wanted: Iterable[str],
                  builtin: bool = True) -> dict[str, str]:
    """The compared headers as ``name -> normalised value`` (absent names left out).

    Repeated headers join with ``", "``; ``Set-Cookie`` becomes the sorted cookie
    names when ``builtin`` is on.
    """
    names = {name.lower() for name in wanted}
    if builtin:
        names -= NEVER_COMPARED_HEADERS
    found: dict[str, list[str]] = {}
    for name, value in headers:
        lower = name.lower()
        if lower in names:
            found.setdefault(lower, []).append(value)
    out: dict[str, str] = {}
    for name, values in found.items():
        if builtin and name == "set-cookie":
            out[name] = ", ".join(sorted(cookie_name(v) for v in values))
        elif builtin and name == "content-type":
            out[name] = normalize_content_type(values[0])
        else:
            out[name] = ", ".join(v.strip() for v in values)
    return out


def cookie_name(set_cookie: str) -> str:
    return set_cookie.split(";", 1)[0].split("=", 1)[0].strip()


def normalize_content_type(value: str) -> str:
    """``Application/JSON ;charset=UTF-8`` -> ``application/json; charset=utf-8``."""
    parts = [p.strip().lower() for p in value.split(";") if p.strip()]
    return "; ".join(p.replace(" ", "") for p in parts)
