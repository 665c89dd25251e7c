"""What an engine cannot express: listed in the output as comments and on stderr.

A limitation is a finding, not an error: the export still succeeds (exit 0) and every
limitation is shown twice, in the generated file (where the operator reads it later) and
on stderr (where the person exporting reads it now). Nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from strangler_proxy.export.model import ExportModel, ExportRoute

__all__ = ["Limitation", "comment_lines", "common_limitations"]


@dataclass(frozen=True, order=True, slots=True)
class Limitation:
    route: str  # a route name, or "*" for the whole file
    feature: str
    detail: str

    def __str__(self) -> str:
        where = "all routes" if self.route == "*" else f"route {self.route}"
        return f"{where}: {self.feature}: {self.detail}"


def common_limitations(model: ExportModel, engine: str) -> list[Limitation]:
    """What strangler does that no exported engine does, for the routes that use it."""
    found = [Limitation("*", "stage changes", f"{engine} gets the stages written in the file; "
                        "changes made later with `strangler route` live in the [state] store "
                        "and need a new export"),
             Limitation("*", "admin API and dashboard", f"not part of the {engine} config; "
                        "there is no runtime promote/rollback")]
    for route in model.routes:
        found.extend(_route_limitations(route, engine))
    return found


def _route_limitations(route: ExportRoute, engine: str) -> Iterable[Limitation]:
    name = route.name
    if route.mirror is not None:
        yield Limitation(name, "response comparison", f"{engine} mirrors requests to "
                         f"{route.mirror} but cannot compare the answers: no diffs, no "
                         "match rate, no redacted examples")
        if route.policy.shadow.learn_noise:
            yield Limitation(name, "noise learning", "learn_noise needs the comparison; ignored")
    if route.stage in ("shadow", "canary"):
        yield Limitation(name, "promotion gates", "gates (min_compared, min_match_rate, "
                         "max_candidate_error_rate, max_p99_ratio) are checked by strangler "
                         f"only; {engine} never promotes a route")
        yield Limitation(name, "canary steps", f"canary_steps {list(route.policy.canary_steps)} "
                         "need strangler's promote; re-export after each step")
    if route.stage == "canary" and route.policy.auto_rollback.enabled:
        yield Limitation(name, "auto-rollback", f"{engine} keeps sending the canary share when "
                         "the service's error budget is spent; watch it yourself")


def comment_lines(limitations: Iterable[Limitation], engine: str) -> list[str]:
    """The limitations as comment lines (without the comment marker)."""
    items = sorted(set(limitations))
    if not items:
        return [f"{engine} expresses everything in this routes file."]
    lines = [f"What {engine} cannot express ({len(items)}), so strangler does not export it:"]
    lines.extend(f"  - {item}" for item in items)
    return lines
