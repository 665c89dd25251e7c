"""The extraction plan: seams, data ownership, extraction order and risk.

``build_plan(graph, models, urls, BoundaryOptions(...)) -> Plan``; see docs/boundaries.md.
"""

from analysis.plan.build import build_plan
from analysis.plan.model import Plan, Seam, Step

__all__ = ["Plan", "Seam", "Step", "build_plan"]
