"""The values a report is made of (built by ``analysis.report``, shown by ``analysis.render``)."""

from __future__ import annotations

from dataclasses import dataclass

from analysis.graph.model import DependencyGraph
from analysis.records import Location


@dataclass(frozen=True, slots=True)
class AppSummary:
    label: str
    package: str
    installed: bool
    modules: int
    models: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CrossAppDependency:
    source: str
    target: str
    weight: int
    kinds: tuple[tuple[str, int], ...]  # heaviest kind first
    example: Location


@dataclass(frozen=True)
class Report:
    root: str
    granularity: str
    graph: DependencyGraph  # at the requested granularity
    files: int
    parsed: int
    from_cache: int
    apps: tuple[AppSummary, ...]
    heaviest: tuple[CrossAppDependency, ...]
    app_cycles: tuple[tuple[str, ...], ...]  # one shortest example per group
    module_cycles: tuple[tuple[str, ...], ...]
    app_cycle_groups: tuple[tuple[str, ...], ...]  # strongly connected groups, sorted
    module_cycle_groups: tuple[tuple[str, ...], ...]
    skipped: tuple[tuple[str, str], ...]
    edge_kinds: tuple[tuple[str, int], ...]
    installed_apps: tuple[str, ...]
    installed_apps_computed: bool
    contract: dict[str, object]
