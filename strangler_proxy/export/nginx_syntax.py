"""Small, pure helpers to spell nginx configuration safely: names, quoting, regexes, times."""

from __future__ import annotations

import hashlib
import re

__all__ = ["block", "duration", "ident", "quote", "regex_literal", "upstream_name"]

_IDENT = re.compile(r"[^A-Za-z0-9_]")


def ident(name: str) -> str:
    """A variable-safe spelling of a route or upstream name, unique per name.

    nginx variables take letters, digits and '_'; ``a-b`` and ``a_b`` would collide, so a
    name that had to change gets a short hash of the original.
    """
    safe = _IDENT.sub("_", name)
    if safe == name:
        return name
    return f"{safe}_{hashlib.blake2b(name.encode(), digest_size=3).hexdigest()}"


def upstream_name(name: str) -> str:
    return f"strangler_{ident(name)}"


def quote(text: str) -> str:
    """A double-quoted nginx string: backslashes doubled (the parser halves them), quotes escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def regex_literal(text: str) -> str:
    """``text`` matched literally by PCRE (every non-alphanumeric escaped)."""
    return "".join(c if c.isalnum() or c in "/_" else "\\" + c for c in text)


def duration(seconds: float) -> str:
    """nginx time: whole seconds as ``5s``, anything finer in milliseconds."""
    millis = round(seconds * 1000)
    return f"{millis // 1000}s" if millis % 1000 == 0 else f"{millis}ms"


def block(header: str, body: list[str], indent: str = "    ") -> list[str]:
    """``header { body }`` with the body indented one level."""
    return [f"{header} {{", *(indent + line if line else line for line in body), "}"]
