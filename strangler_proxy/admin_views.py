"""What the admin API and the CLI show: plain JSON-able dicts built from the stores.

Stateless: every view reads the routes file's table and the stores, so the admin listener
(one per deployment, in the ``serve`` parent) and any number of workers agree.
"""

from __future__ import annotations

import time
from typing import Any

from strangler_proxy.dashboard import DashboardData, RouteView
from strangler_proxy.diffstore import RouteSummary
from strangler_proxy.gates import GateReport
from strangler_proxy.route_stats import RouteStats
from strangler_proxy.routes import RouteTable
from strangler_proxy.stage_control import StageOutcome, effective
from strangler_proxy.stages import StageSetting, service_share
from strangler_proxy.state_factory import StateStores
from strangler_proxy.state_link import UNROUTED

__all__ = ["UNROUTED", "audit_view", "dashboard_data", "diffs_view", "examples_view",
           "outcome_view", "routes_view"]



def _setting(value: StageSetting) -> dict[str, Any]:
    return {"stage": value.stage.value, "percent": value.percent,
            "reverse_shadow": value.reverse_shadow, "label": str(value)}


def summary_view(summary: RouteSummary) -> dict[str, Any]:
    return {"route": summary.route, "compared": summary.compared, "matched": summary.matched,
            "mismatched": summary.mismatched, "match_rate": summary.match_rate,
            "dropped_overload": summary.dropped_overload,
            "dropped_too_large": summary.dropped_too_large,
            "candidate_requests": summary.candidate_requests,
            "candidate_errors": summary.candidate_errors,
            "candidate_error_rate": summary.candidate_error_rate,
            "primary_p99_ms": summary.primary_p99_ms,
            "candidate_p99_ms": summary.candidate_p99_ms,
            "top_paths": [{"path": p, "count": c} for p, c in summary.top_paths]}


def routes_view(table: RouteTable, stores: StateStores) -> dict[str, Any]:
    """Every route with its file stage, effective stage, split and live figures."""
    overrides = stores.stages.current_overrides()
    stats = stores.stats.read()
    summaries = {s.route: s for s in stores.diffs.summary()}
    rows = []
    for route in sorted(table.routes, key=lambda r: r.name):
        now = effective(route, overrides)
        live = stats.get(route.name, RouteStats())
        summary = summaries.get(route.name)
        rows.append({
            "name": route.name, "match": str(route.match),
            "upstream": route.upstream or table.default, "line": route.line,
            **_setting(now), "file": _setting(effective(route, {})),
            "overridden": route.name in overrides,
            "split": {"service": service_share(now), "monolith": 100 - service_share(now)},
            "shadow_target": (route.upstream if now.stage.value == "shadow"
                              else table.default if now.stage.value == "service"
                              and now.reverse_shadow else None),
            "identity": route.identity,
            "live": {"requests": live.requests, "service_requests": live.service_requests,
                     "monolith_error_rate": live.monolith_error_rate,
                     "service_error_rate": live.service_error_rate},
            "diffs": summary_view(summary) if summary is not None else None,
        })
    unrouted = stats.get(UNROUTED, RouteStats())
    return {"default": table.default, "routes": rows, "unrouted_requests": unrouted.requests}


def diffs_view(stores: StateStores, route: str | None = None, *, top: int = 5
               ) -> list[dict[str, Any]]:
    return [summary_view(s) for s in stores.diffs.summary(route, top=top)]


def examples_view(stores: StateStores, route: str, *, limit: int = 20) -> list[dict[str, Any]]:
    return [{"id": e.id, "created_at": e.created_at, **e.data}
            for e in stores.diffs.examples(route, limit=limit)]


def audit_view(stores: StateStores, route: str | None = None, *, limit: int = 50
               ) -> list[dict[str, Any]]:
    return [{"id": e.id, "route": e.route, "at": e.at, "actor": e.actor,
             "from": _setting(e.before) if e.before is not None else None,
             "to": _setting(e.after), "reason": e.reason}
            for e in stores.stages.audit(route, limit=limit)]


def gates_view(report: GateReport | None) -> list[dict[str, Any]] | None:
    if report is None:
        return None
    return [{"name": r.name, "passed": r.passed, "actual": r.actual, "threshold": r.threshold,
             "detail": r.detail} for r in report.results]


def outcome_view(outcome: StageOutcome) -> dict[str, Any]:
    return {"route": outcome.route, "applied": outcome.applied, "message": outcome.message,
            "from": _setting(outcome.before), "to": _setting(outcome.after),
            "gates": gates_view(outcome.gates)}


def dashboard_data(table: RouteTable, stores: StateStores) -> DashboardData:
    view = routes_view(table, stores)
    routes = []
    for row in view["routes"]:
        diffs = row["diffs"] or {}
        live = row["live"]
        routes.append(RouteView(
            name=row["name"], stage=row["stage"], percent=row["percent"],
            requests=live["requests"], service_requests=live["service_requests"],
            compared=diffs.get("compared", 0), match_rate=diffs.get("match_rate"),
            primary_error_rate=live["monolith_error_rate"],
            candidate_error_rate=(live["service_error_rate"]
                                  if live["service_requests"]
                                  else diffs.get("candidate_error_rate")),
            primary_p99_ms=diffs.get("primary_p99_ms"),
            candidate_p99_ms=diffs.get("candidate_p99_ms"),
            top_diffs=tuple((p["path"], p["count"]) for p in diffs.get("top_paths", []))))
    return DashboardData(routes=tuple(routes), unrouted_requests=view["unrouted_requests"],
                         generated_at=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
