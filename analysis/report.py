"""What the renderers show, computed once: ``build_report(result, granularity)``.

Renderers only format; every number, ranking and cycle they print is decided here.
"""

from __future__ import annotations

from collections import Counter

from analysis.graph.model import DependencyGraph
from analysis.pipeline import AnalysisResult
from analysis.records import Location
from analysis.summary import AppSummary, CrossAppDependency, Report

__all__ = ["AppSummary", "CrossAppDependency", "Report", "build_report"]

HEAVIEST_LIMIT = 15


def build_report(result: AnalysisResult, granularity: str = "symbol") -> Report:
    symbol_graph = result.graph
    module_graph = symbol_graph.aggregate("module")
    app_graph = symbol_graph.aggregate("app")
    graph = {"symbol": symbol_graph, "module": module_graph, "app": app_graph}[granularity]
    app_cycles = tuple(tuple(c) for c in app_graph.find_cycles())
    module_cycles = tuple(tuple(c) for c in module_graph.find_cycles())
    app_groups = tuple(tuple(g) for g in app_graph.strongly_connected_groups())
    module_groups = tuple(tuple(g) for g in module_graph.strongly_connected_groups())
    apps = _apps(result, symbol_graph)
    heaviest = _heaviest(app_graph, {app.label for app in apps})
    kinds = Counter[str](graph.weight_by_kind())
    skipped = tuple((s.file, s.reason) for s in result.skipped)
    contract = graph.to_contract_dict(
        skipped=[{"file": file, "reason": reason} for file, reason in skipped],
        apps=[
            {
                "label": a.label,
                "package": a.package,
                "installed": a.installed,
                "models": list(a.models),
            }
            for a in apps
        ],
        urls=[
            {
                "pattern": u.pattern,
                "view": u.view,
                "file": u.file,
                "line": u.line,
                "name": u.name,
                "reachable": u.reachable,
            }
            for u in result.urls
        ],
        cycles={
            "app": [list(c) for c in app_cycles],
            "module": [list(c) for c in module_cycles],
            "app_groups": [list(g) for g in app_groups],
            "module_groups": [list(g) for g in module_groups],
        },
        installed_apps={
            "entries": list(result.installed_apps),
            "computed": result.installed_apps_computed,
        },
    )
    return Report(
        root=result.root,
        granularity=granularity,
        graph=graph,
        files=result.stats.files,
        parsed=result.stats.parsed,
        from_cache=result.stats.from_cache,
        apps=apps,
        heaviest=heaviest,
        app_cycles=app_cycles,
        module_cycles=module_cycles,
        app_cycle_groups=app_groups,
        module_cycle_groups=module_groups,
        skipped=skipped,
        edge_kinds=tuple(sorted(kinds.items(), key=lambda item: (-item[1], item[0]))),
        installed_apps=result.installed_apps,
        installed_apps_computed=result.installed_apps_computed,
        contract=contract,
    )


def _apps(result: AnalysisResult, graph: DependencyGraph) -> tuple[AppSummary, ...]:
    models_by_app: dict[str, list[str]] = {}
    for label in result.models.values():
        models_by_app.setdefault(label.partition(".")[0], []).append(label)
    modules = Counter(node.app for node in graph.nodes() if node.kind == "module")
    return tuple(
        AppSummary(
            app.label,
            app.package,
            app.installed,
            modules[app.label],
            tuple(sorted(models_by_app.get(app.label, ()))),
        )
        for app in sorted(result.apps, key=lambda a: a.label)
    )


def _heaviest(app_graph: DependencyGraph, labels: set[str]) -> tuple[CrossAppDependency, ...]:
    pairs: dict[tuple[str, str], list[tuple[str, int, Location]]] = {}
    for edge in app_graph.edges():
        if edge.source in labels or edge.target in labels:
            pairs.setdefault((edge.source, edge.target), []).append(
                (edge.kind, edge.weight, edge.locations[0])
            )
    found = []
    for (source, target), kinds in pairs.items():
        kinds.sort(key=lambda item: (-item[1], item[0]))
        found.append(
            CrossAppDependency(
                source,
                target,
                sum(weight for _, weight, _ in kinds),
                tuple((kind, weight) for kind, weight, _ in kinds),
                kinds[0][2],
            )
        )
    found.sort(key=lambda dep: (-dep.weight, dep.source, dep.target))
    return tuple(found[:HEAVIEST_LIMIT])
