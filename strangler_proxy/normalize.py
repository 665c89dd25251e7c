"""Path normalisation: the one spelling of a path that is both routed on and forwarded.

``normalize_path(b"/api//x/./%63atalog/")`` -> ``"/api/x/catalog/"``. Steps, in order:

1. the target must be origin-form (``/...``); anything else is a 400 (no open proxy);
2. percent-escapes of unreserved characters (``A-Z a-z 0-9 - . _ ~``) are decoded, all other
   escapes kept with upper-case hex; an encoded ``/``, ``\\`` or NUL is refused with 400,
   as are raw backslashes and control characters, since upstreams disagree on what they mean;
3. duplicate slashes collapse; ``.`` and ``..`` segments resolve (never above the root).

Because the upstream receives exactly the string the route table matched, a request cannot
reach a route's upstream (or avoid it) by spelling its path differently.
"""

from __future__ import annotations

import re

from strangler_proxy.errors import BadRequest

__all__ = ["normalize_path"]

_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_FORBIDDEN_ESCAPES = frozenset(b"/\\\x00")
_HEX = frozenset(b"0123456789abcdefABCDEF")
# Anything that is not a plain path: escapes, '//', dot segments, '\\', controls, non-ASCII.
_NEEDS_WORK = re.compile(rb"[^\x21-\x7e]|%|//|/\.|\\")


def normalize_path(raw_path: bytes) -> str:
    """Return the normalised path of a raw request target (without its query string)."""
    if not raw_path.startswith(b"/"):
        raise BadRequest("request target must be a path starting with '/'")
    # The common case, a plain path, costs one regex scan in C and the decode.
    if _NEEDS_WORK.search(raw_path) is None:
        return raw_path.decode("ascii")
    return _resolve_dots(_decode(raw_path))


def _decode(raw: bytes) -> str:
    out = bytearray()
    i = 0
    length = len(raw)
    while i < length:
        byte = raw[i]
        if byte == 0x25:  # '%'
            pair = raw[i + 1:i + 3]
            if len(pair) != 2 or pair[0] not in _HEX or pair[1] not in _HEX:
                raise BadRequest("malformed percent-escape in path")
            value = int(pair, 16)
            if value in _FORBIDDEN_ESCAPES:
                raise BadRequest("encoded '/', '\\' or NUL in path")
            if value in _UNRESERVED:
                out.append(value)
            else:
                out += b"%" + pair.upper()
            i += 3
            continue
        if byte <= 0x20 or byte >= 0x7F or byte == 0x5C:  # controls, space, non-ASCII, '\'
            raise BadRequest("control character, space, backslash or non-ASCII byte in path")
        out.append(byte)
        i += 1
    return out.decode("ascii")


def _resolve_dots(path: str) -> str:
    segments = path.split("/")[1:]
    stack: list[str] = []
    trailing = False
    for segment in segments:
        trailing = False
        if segment == "" or segment == ".":
            trailing = True
            continue
        if segment == "..":
            if stack:
                stack.pop()
            trailing = True
            continue
        stack.append(segment)
    result = "/" + "/".join(stack)
    if trailing and stack:
        result += "/"
    return result
