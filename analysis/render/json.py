"""The analysis JSON: sorted keys, stable list order, so identical input gives identical bytes."""

from __future__ import annotations

import json


def render_json(contract: dict[str, object]) -> str:
    return json.dumps(contract, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
