"""Effective stages and the three moves (set, promote, rollback) over the stores.

The routes file gives each route its base stage; an override in the stage store wins
until it is changed again. :func:`apply_overrides` derives the effective table (workers
swap it in with one assignment); the moves validate, evaluate gates where a promotion needs
them, and write through the stage store, which audits every change. A refused promotion is
a result (``StageOutcome.refused`` with the failing gates), not an exception.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from strangler_proxy.diffstore import DiffStore
from strangler_proxy.errors import StageRequestError, UnknownRoute
from strangler_proxy.gates import GateFigures, GateReport, evaluate, needs_gates
from strangler_proxy.routes import Route, RouteTable
from strangler_proxy.stage_store import StageChange, StageStore
from strangler_proxy.stages import Stage, StageSetting, next_stage, problems, rollback, setting

__all__ = ["StageOutcome", "apply_overrides", "effective", "file_setting", "promote",
           "roll_back", "set_stage"]


@dataclass(frozen=True, slots=True)
class StageOutcome:
    route: str
    before: StageSetting
    after: StageSetting
    applied: bool
    gates: GateReport | None = None
    message: str = ""

    @property
    def refused(self) -> bool:
        return not self.applied


def file_setting(route: Route) -> StageSetting:
    """The stage the routes file writes for ``route``."""
    stage = Stage(route.stage if route.upstream is not None else "monolith")
    percent = route.percent if stage is Stage.CANARY else (100 if stage is Stage.SERVICE else 0)
    return StageSetting(stage, percent, route.reverse_shadow)


def effective(route: Route, overrides: dict[str, StageSetting]) -> StageSetting:
    """Override if present, else the file's."""
    return overrides.get(route.name) or file_setting(route)


def apply_overrides(table: RouteTable, overrides: dict[str, StageSetting]) -> RouteTable:
    """``table`` with every override applied (the same object when none applies)."""
    if not any(r.name in overrides and r.upstream is not None for r in table.routes):
        return table
    routes = []
    for route in table.routes:
        found = overrides.get(route.name)
        if found is not None and route.upstream is not None:
            route = replace(route, stage=found.stage.value, percent=found.percent,
                            reverse_shadow=found.reverse_shadow or route.policy.reverse_shadow)
        routes.append(route)
    return replace(table, routes=tuple(routes))


def _route(table: RouteTable, name: str) -> Route:
    for route in table.routes:
        if route.name == name:
            return route
    known = ", ".join(sorted(r.name for r in table.routes)) or "none"
    raise UnknownRoute(f"no route named {name!r} (routes: {known})")


def _write(stages: StageStore, route: Route, before: StageSetting, after: StageSetting, *,
           actor: str, reason: str) -> StageChange:
    return stages.set_stage(route.name, after.stage, after.percent, actor=actor, reason=reason,
                            reverse_shadow=after.reverse_shadow, base=before)


def set_stage(table: RouteTable, stages: StageStore, name: str, stage: str,
              percent: int | None = None, *, actor: str, reason: str = "") -> StageOutcome:
    """Move ``name`` to ``stage`` (no gates: an operator's explicit choice, audited)."""
    route = _route(table, name)
    found = problems(stage, percent)
    if found:
        raise StageRequestError("; ".join(found))
    if route.upstream is None and stage != "monolith":
        raise StageRequestError(f"route {name} has no upstream service; it stays on the monolith")
    before = effective(route, stages.current_overrides())
    after = setting(stage, percent, route.policy.reverse_shadow)
    change = _write(stages, route, before, after, actor=actor, reason=reason or "set")
    return StageOutcome(name, change.before or before, after, True, message=f"{name}: {after}")


def promote(table: RouteTable, stages: StageStore, diffs: DiffStore, name: str, *,
            actor: str, reason: str = "") -> StageOutcome:
    """One step forward when the gates hold; refused (with the failing gates) otherwise."""
    route = _route(table, name)
    if route.upstream is None:
        raise StageRequestError(f"route {name} has no upstream service to promote to")
    before = effective(route, stages.current_overrides())
    after = next_stage(before, route.policy.canary_steps)
    if after is None:
        return StageOutcome(name, before, before, False, message=f"{name} is already on the "
                                                                   "service: nothing to promote")
    after = replace(after, reverse_shadow=route.policy.reverse_shadow
                    if after.stage is Stage.SERVICE else False)
    report = None
    if needs_gates(before.stage):
        summary = diffs.summary(name)
        figures = summary[0].figures() if summary else _no_figures()
        report = evaluate(route.policy.gates, figures)
        if not report.passed:
            failing = "; ".join(f"{r.name}: {r.detail}" for r in report.failed())
            return StageOutcome(name, before, before, False, report,
                                f"{name} stays at {before}: {failing}")
    _write(stages, route, before, after, actor=actor, reason=reason or "promote")
    return StageOutcome(name, before, after, True, report, f"{name}: {before} -> {after}")


def roll_back(table: RouteTable, stages: StageStore, name: str, *, actor: str,
              reason: str = "") -> StageOutcome:
    """Straight to the monolith, from any stage (see ``stages.rollback``)."""
    route = _route(table, name)
    before = effective(route, stages.current_overrides())
    after = rollback(before)
    _write(stages, route, before, after, actor=actor, reason=reason or "rollback")
    return StageOutcome(name, before, after, True, message=f"{name}: {before} -> {after}")


def _no_figures() -> GateFigures:
    return GateFigures(compared=0, matched=0, candidate_requests=0, candidate_errors=0,
                       primary_p99_ms=None, candidate_p99_ms=None)
