"""Typed reads from one TOML table that collect errors instead of raising.

Every error carries its key path (``routes[2].shadow.sample_rate``); the routes-file
loader adds the file and line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class PolicyError:
    key: str  # full key path, e.g. "routes[0].gates.min_match_rate"
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}"


class TableReader:
    def __init__(self, table: Mapping[str, Any], prefix: str, errors: list[PolicyError]) -> None:
        self.table = table
        self.prefix = prefix
        self.errors = errors

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}" if self.prefix else name

    def error(self, name: str, message: str) -> None:
        self.errors.append(PolicyError(self.key(name), message))

    def only(self, allowed: frozenset[str] | set[str]) -> None:
        """Report keys this table does not know (a typo must not pass silently)."""
        for name in sorted(set(self.table) - set(allowed)):
            self.error(name, f"unknown key; expected one of {', '.join(sorted(allowed))}")

    def sub(self, name: str) -> TableReader | None:
        value = self.table.get(name)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            self.error(name, "must be a table")
            return None
        return TableReader(value, self.key(name), self.errors)

    def boolean(self, name: str, default: bool) -> bool:
        value = self.table.get(name, default)
        if not isinstance(value, bool):
            self.error(name, f"must be true or false, not {value!r}")
            return default
        return value

    def number(self, name: str, default: float, *, low: float | None = None,
               high: float | None = None) -> float:
        value = self.table.get(name, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.error(name, f"must be a number, not {value!r}")
            return default
        if (low is not None and value < low) or (high is not None and value > high):
            self.error(name, f"must be between {low} and {high}, not {value!r}")
            return default
        return float(value)

    def integer(self, name: str, default: int, *, low: int = 0, high: int | None = None) -> int:
        value = self.table.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(name, f"must be an integer, not {value!r}")
            return default
        if value < low or (high is not None and value > high):
            bound = f"from {low} to {high}" if high is not None else f"at least {low}"
            self.error(name, f"must be an integer {bound}, not {value!r}")
            return default
        return value

    def text(self, name: str, default: str, *, choices: tuple[str, ...] | None = None) -> str:
        value = self.table.get(name, default)
        if not isinstance(value, str) or not value.strip():
            self.error(name, f"must be a non-empty string, not {value!r}")
            return default
        if choices is not None and value not in choices:
            self.error(name, f"must be one of {', '.join(choices)}, not {value!r}")
            return default
        return value

    def strings(self, name: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        value = self.table.get(name, default)
        if not isinstance(value, (list, tuple)) or not all(
                isinstance(v, str) and v.strip() for v in value):
            self.error(name, "must be a list of non-empty strings")
            return default
        return tuple(v.strip() for v in value)

    def integers(self, name: str, default: tuple[int, ...]) -> tuple[int, ...]:
        value = self.table.get(name, default)
        if not isinstance(value, (list, tuple)) or not all(
                isinstance(v, int) and not isinstance(v, bool) for v in value):
            self.error(name, "must be a list of integers")
            return default
        return tuple(value)
