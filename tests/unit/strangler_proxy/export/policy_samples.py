"""Route policies that exercise every exporter branch the routes file alone cannot reach."""

from __future__ import annotations

from typing import Any

from strangler_proxy.export.model import ExportModel
from tests.unit.strangler_proxy.export.samples import sample_model

__all__ = ["POLICY_MODELS"]

_VARIANTS: dict[str, tuple[str, dict[str, dict[str, Any]]]] = {
    "sampled_shadow": ("all_stages", {
        "titles": {"shadow": {"sample_rate": 0.25, "learn_noise": True,
                              "methods": ["GET", "POST"], "unsafe_methods": True}},
        "catalog": {"sticky": "header:X-User", "sticky_missing": "monolith",
                    "gates": {"auto_rollback": {"error_budget": 0.1}}}}),
    "no_override": ("conditions", {
        "root": {"sticky": "cookie:my-session", "sticky_missing": "random",
                 "canary": {"allow_override": False}}}),
    "reverse_shadow": ("proxy_settings", {"back": {"reverse_shadow": True}}),
}


def POLICY_MODELS() -> dict[str, ExportModel]:
    return {name: sample_model(base, policies) for name, (base, policies) in _VARIANTS.items()}
