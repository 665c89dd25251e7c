"""The plain data the dashboard is drawn from (the admin API fills it from live figures)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class RouteView:
    name: str
    stage: str  # monolith | shadow | canary | service
    percent: int = 0  # canary share
    requests: int = 0  # requests the route received
    service_requests: int = 0  # of which answered by the extracted service
    compared: int = 0
    match_rate: float | None = None
    primary_error_rate: float | None = None
    candidate_error_rate: float | None = None
    primary_p99_ms: float | None = None
    candidate_p99_ms: float | None = None
    top_diffs: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class DashboardData:
    routes: tuple[RouteView, ...]
    generated_at: str  # shown as is, e.g. "2026-11-26 15:40 UTC"
    unrouted_requests: int = 0  # requests no route matched (served by the monolith)
    title: str = "strangler — migration dashboard"

    @property
    def total_requests(self) -> int:
        return self.unrouted_requests + sum(r.requests for r in self.routes)

    @property
    def service_share(self) -> float | None:
        """Share of all traffic already answered by extracted services."""
        total = self.total_requests
        return sum(r.service_requests for r in self.routes) / total if total else None
