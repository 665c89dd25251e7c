"""Extraction: one file in, facts out (``extract_source``); no state shared between files.

The fact pass uses Python's own ``ast`` (C-speed parsing; see docs/analysis.md for the
measurements against libcst, which stays the tool for rewriting code). Each concern has its
own family module; one ``Walker`` pass feeds them all (``families.py`` routes the nodes).
"""

from __future__ import annotations

import ast

from analysis.extract.families import Families
from analysis.extract.packed import Packed, unpack
from analysis.extract.walker import deep_walk
from analysis.facts import FileFacts

__all__ = ["UnreadableSource", "extract_packed", "extract_source", "parse"]

_PY2_HINTS = (
    "Missing parentheses in call to 'print'",
    "Missing parentheses in call to 'exec'",
    "multiple exception types must be parenthesized",
    "invalid hexadecimal literal",
    "leading zeros in decimal integer literals are not permitted",
)


class UnreadableSource(Exception):
    """The file cannot be parsed; ``reason`` says why in words for the ``skipped`` list."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse(source: bytes, filename: str = "<source>") -> ast.Module:
    """Parse bytes (PEP 263 encodings honoured) or raise ``UnreadableSource``."""
    try:
        return ast.parse(source, filename=filename)
    except SyntaxError as error:
        message = error.msg or ""
        if "null bytes" in message:
            raise UnreadableSource(f"unreadable source: {message}") from None
        if any(
            hint in message for hint in ("unicode error", "codec can't decode", "unknown encoding")
        ):
            raise UnreadableSource(f"undecodable bytes: {message}") from None
        if (
            any(hint in message for hint in _PY2_HINTS)
            or b"print " in source
            and _looks_py2(source)
        ):
            raise UnreadableSource(f"Python 2 syntax at line {error.lineno}: {message}") from None
        raise UnreadableSource(f"syntax error at line {error.lineno}: {message}") from None
    except (UnicodeDecodeError, LookupError) as error:
        raise UnreadableSource(f"undecodable bytes: {error}") from None
    except ValueError as error:  # null bytes
        raise UnreadableSource(f"unreadable source: {error}") from None
    except (RecursionError, MemoryError):
        raise UnreadableSource("too deeply nested to parse") from None


def _looks_py2(source: bytes) -> bool:
    for raw in source.splitlines():
        line = raw.strip()
        if line.startswith(b"print ") and not line.startswith(b"print ("):
            return True
    return False


def extract_source(source: bytes, module: str, *, is_package: bool = False) -> FileFacts:
    """All facts of one module's source; raises ``UnreadableSource`` when it cannot parse."""
    return unpack(extract_packed(source, module, is_package=is_package))


def extract_packed(source: bytes, module: str, *, is_package: bool = False) -> Packed:
    """``extract_source``'s facts packed (``analysis.extract.packed``), as workers send them."""
    tree = parse(source, module)
    families = Families()
    try:
        families.walk(tree)
    except RecursionError:
        # Deeper than the interpreter's limit allows: walk again, from scratch, under a
        # raised one (rare: generated code with very long expressions).
        families = Families()
        try:
            deep_walk(lambda: families.walk(tree))
        except RecursionError:
            raise UnreadableSource("too deeply nested to analyse") from None
    return families.packed(module, is_package)
