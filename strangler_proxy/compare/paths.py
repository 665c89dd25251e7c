"""Paths into a JSON document and the globs that select them.

A path names one value: ``results[3].title``. The root is ``$``. Keys that are not
plain identifiers are quoted: ``headers["x.y"]``. Globs use the same spelling plus
``*`` (one key, or ``fnmatch`` inside a key: ``*_at``), ``[*]`` (any index) and
``**`` (zero or more segments): ``results[*].updated_at``, ``**.csrf_token``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import lru_cache

ROOT = "$"
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")
_TOKEN = re.compile(r'\[(\d+|\*)\]|\["((?:[^"\\]|\\.)*)"\]|\.?(\*\*|[^.\[\]]+)')
_INDEX = re.compile(r"\[\d+\]")


def join_key(path: str, key: str) -> str:
    """Path of ``key`` inside the object at ``path``."""
    if not _is_plain(key):
        return f"{'' if path == ROOT else path}[{json.dumps(key)}]"
    return key if path == ROOT else f"{path}.{key}"


@lru_cache(maxsize=4096)
def _is_plain(key: str) -> bool:
    return _PLAIN_KEY.match(key) is not None


def join_index(path: str, index: int) -> str:
    return f"{'' if path == ROOT else path}[{index}]"


def generalise(path: str) -> str:
    """Replace every array index with ``[*]``: ``results[3].title`` -> ``results[*].title``."""
    return _INDEX.sub("[*]", path)


@lru_cache(maxsize=4096)
def tokenize(path: str) -> tuple[str, ...]:
    """Split a path or glob into segments; indices keep their brackets (``[3]``, ``[*]``)."""
    if path in (ROOT, ""):
        return ()
    text = path.removeprefix("$.")
    tokens: list[str] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise ValueError(f"cannot parse path {path!r} at offset {pos}")
        if match.group(1) is not None:
            tokens.append(f"[{match.group(1)}]")
        elif match.group(2) is not None:
            tokens.append(json.loads(f'"{match.group(2)}"'))
        else:
            tokens.append(match.group(3))
        pos = match.end()
    return tuple(tokens)


@dataclass(frozen=True, slots=True)
class PathGlob:
    """A compiled glob; build with :func:`compile_glob`."""

    text: str
    tokens: tuple[str, ...]

    def matches(self, path: str) -> bool:
        return _match(self.tokens, tokenize(path))


def compile_glob(text: str) -> PathGlob:
    """Compile a glob; raises ``ValueError`` with the reason when it cannot be parsed."""
    return PathGlob(text=text, tokens=tokenize(text.strip()))


def any_match(globs: tuple[PathGlob, ...], path: str) -> bool:
    return any(glob.matches(path) for glob in globs)


@lru_cache(maxsize=16384)
def _match(glob: tuple[str, ...], path: tuple[str, ...]) -> bool:
    if not glob:
        return not path
    head, rest = glob[0], glob[1:]
    if head == "**":
        # zero or more segments: try every split point
        return any(_match(rest, path[i:]) for i in range(len(path) + 1))
    if not path:
        return False
    segment = path[0]
    if head == "[*]":
        ok = segment.startswith("[") and segment.endswith("]") and segment[1:-1].isdigit()
    elif head.startswith("[") and head.endswith("]"):
        ok = head == segment
    else:
        ok = not _is_index(segment) and fnmatchcase(segment, head)
    return ok and _match(rest, path[1:])


def _is_index(segment: str) -> bool:
    return segment.startswith("[") and segment.endswith("]") and segment[1:-1].isdigit()
