"""The analysis JSON: sorted keys, stable list order, so identical input gives identical bytes.

Laid out for people and for line tools: each top-level key on its own line, and each item of
a top-level list or dict (a node, an edge, an app, a cycle list) on a line of its own, written
compactly. Only those two levels are indented because ``json.dumps(indent=...)`` runs in pure
Python, and on a large codebase (sentry: 68,000 edges, 28 MB) it took a quarter of a whole
``strangler analyze``; the lines themselves come from the C encoder.
"""

from __future__ import annotations

import json
from typing import Any

_PRETTY_LEVELS = 2  # the top-level dict, and the items of its lists and dicts
_compact = json.JSONEncoder(sort_keys=True, ensure_ascii=False,
                            separators=(", ", ": ")).encode  # C-accelerated: no indent


def render_json(contract: dict[str, object]) -> str:
    return _render(contract, 0) + "\n"


def _render(value: Any, depth: int) -> str:
    if depth >= _PRETTY_LEVELS or not value or not isinstance(value, dict | list):
        return _compact(value)
    pad, end = "  " * (depth + 1), "  " * depth
    if isinstance(value, dict):
        lines = [f"{pad}{_compact(key)}: {_render(value[key], depth + 1)}"
                 for key in sorted(value)]
        return "{\n" + ",\n".join(lines) + "\n" + end + "}"
    if depth + 1 >= _PRETTY_LEVELS:  # the common case, a list of nodes or edges: one C call each
        return "[\n" + pad + (",\n" + pad).join(map(_compact, value)) + "\n" + end + "]"
    return "[\n" + ",\n".join(f"{pad}{_render(item, depth + 1)}" for item in value) + "\n" \
        + end + "]"
