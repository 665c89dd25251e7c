"""``--pin``: members fixed by hand, resolved against the clustered units."""

from __future__ import annotations

from analysis.boundaries.errors import PinError
from analysis.boundaries.units import Units


def resolve_pins(units: Units, pins: dict[str, tuple[str, ...]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name in sorted(pins):
        for pattern in pins[name]:
            hits = [
                u for u in units.ids
                if u == pattern or u.startswith(pattern + ":") or u.startswith(pattern + ".")
            ]  # fmt: skip
            if not hits:
                raise PinError(f"--pin {name}={pattern}: no node is or starts with {pattern!r}")
            for unit in hits:
                if found.get(unit, name) != name:
                    raise PinError(f"{unit} is pinned to both {found[unit]} and {name}")
                found[unit] = name
    return found
