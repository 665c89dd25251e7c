"""The result of a comparison: a value, never an exception."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

DifferenceKind = Literal["changed", "type", "missing", "added", "status", "header", "text", "bytes"]
BodyKind = Literal["json", "text", "binary", "empty"]


@dataclass(frozen=True, slots=True)
class Difference:
    """One place where the candidate differs; values are short display strings.

    ``missing``: in the primary only; ``added``: in the candidate only.
    """

    path: str
    kind: DifferenceKind
    primary: str | None
    candidate: str | None

    def to_dict(self) -> dict[str, str | None]:
        return {"path": self.path, "kind": self.kind, "primary": self.primary,
                "candidate": self.candidate}


@dataclass(frozen=True, slots=True)
class Comparison:
    match: bool
    differences: tuple[Difference, ...]
    body_kind: BodyKind
    ignored: int = 0  # differences forgiven by ignore rules or learned noise
    truncated: bool = False  # more differences existed than were kept

    def paths(self) -> tuple[str, ...]:
        return tuple(d.path for d in self.differences)


def show(value: object, limit: int) -> str:
    """A display string for a JSON value, cut to ``limit`` characters."""
    return cut(json.dumps(value, sort_keys=True, ensure_ascii=False), limit)


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"
