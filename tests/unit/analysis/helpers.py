"""Shared helpers of the analysis tests: extract facts from a dedented source string."""

from __future__ import annotations

import textwrap
from pathlib import Path

from analysis.extract import extract_source
from analysis.facts import FileFacts

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "projects"


def facts_of(source: str, module: str = "app.mod", *, is_package: bool = False) -> FileFacts:
    # The leading newline of a triple-quoted string is dropped so line 1 is the first line.
    text = textwrap.dedent(source).removeprefix("\n")
    return extract_source(text.encode(), module, is_package=is_package)
