"""Codemods (libcst): scaffold an extracted service from a plan step, and the monolith facade.

::

    from analysis.codemods import extract_service, facade_service, load_service_plan

    plan = load_service_plan(Path("plan.json"), "catalog")
    outcome = extract_service(Path("monolith"), plan, Path("extracted/catalog2"))
    print(render_seams(list(outcome.scaffold.seams)))
    facade_service(Path("monolith"), plan, dry_run=True).changes   # the diff, nothing written

This package reads source with libcst only; it never imports networkx or the analysed code.
"""

from analysis.codemods.errors import CodemodError, PlanError, SourceError, TargetExistsError
from analysis.codemods.plan import ServicePlan, load_service_plan
from analysis.codemods.run import ExtractOutcome, FacadeOutcome, extract_service, facade_service
from analysis.codemods.seams import Seam, render_seams

__all__ = [
    "CodemodError",
    "ExtractOutcome",
    "FacadeOutcome",
    "PlanError",
    "Seam",
    "ServicePlan",
    "SourceError",
    "TargetExistsError",
    "extract_service",
    "facade_service",
    "load_service_plan",
    "render_seams",
]
