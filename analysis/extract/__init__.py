"""Extraction: one file in, facts out (``extract_source``); no state shared between files.

The fact pass uses Python's own ``ast`` (C-speed parsing; see docs/analysis.md for the
measurements against libcst, which stays the tool for rewriting code). Each concern has its
own visitor; one ``Walker`` pass feeds them all.
"""

from __future__ import annotations

import ast

from analysis.extract.celery import CeleryVisitor
from analysis.extract.drf import DrfVisitor
from analysis.extract.imports import ImportsVisitor
from analysis.extract.models import ModelsVisitor
from analysis.extract.orm import OrmVisitor
from analysis.extract.settings import SettingsVisitor
from analysis.extract.signals import SignalsVisitor
from analysis.extract.symbols import SymbolsVisitor
from analysis.extract.urls import UrlsVisitor
from analysis.extract.walker import Walker
from analysis.facts import FileFacts

__all__ = ["UnreadableSource", "extract_source", "parse"]

VISITORS = (
    ImportsVisitor,
    SymbolsVisitor,
    ModelsVisitor,
    DrfVisitor,
    SignalsVisitor,
    UrlsVisitor,
    OrmVisitor,
    CeleryVisitor,
    SettingsVisitor,
)

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
    tree = parse(source, module)
    visitors = [visitor() for visitor in VISITORS]
    try:
        Walker(visitors).walk(tree)
    except RecursionError:
        raise UnreadableSource("too deeply nested to analyse") from None
    merged: dict[str, list[object]] = {}
    for visitor in visitors:
        for key, values in visitor.facts().items():  # type: ignore[attr-defined]
            merged.setdefault(key, []).extend(values)
    return FileFacts(
        module=module,
        is_package=is_package,
        **{key: tuple(values) for key, values in merged.items()},  # type: ignore[arg-type]
    )
