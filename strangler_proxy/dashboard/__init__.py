"""The migration dashboard: plain data in, one offline HTML page out."""

from strangler_proxy.dashboard.model import DashboardData, RouteView
from strangler_proxy.dashboard.render import render_dashboard

__all__ = ["DashboardData", "RouteView", "render_dashboard"]
