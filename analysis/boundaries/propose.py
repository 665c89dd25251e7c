"""``propose(symbol_graph, models, urls, options)``: services from a dependency graph."""

from __future__ import annotations

from collections.abc import Iterable

from analysis.boundaries.cluster import cluster
from analysis.boundaries.model import Proposal, Service
from analysis.boundaries.naming import name_services, url_word
from analysis.boundaries.options import BoundaryOptions
from analysis.boundaries.units import Units, units_of
from analysis.graph.model import DependencyGraph
from analysis.records import UrlPattern

KERNEL_NAME = "shared"


def url_prefix(pattern: str) -> str:
    """The literal head of a URL pattern, cut before its first converter (``<...>``)."""
    head = pattern.split("<", 1)[0]
    return head if head.endswith("/") or "<" not in pattern else head.rpartition("/")[0] + "/"


def collapse_prefixes(own: Iterable[str], everyone: Iterable[str]) -> tuple[str, ...]:
    """Widen each prefix to its highest ancestor whose URL patterns all belong to ``own``.

    A proxy route per viewset (``/api/catalog/titles/``, ``/api/catalog/genres/``...) would
    leave the router's API root and any later viewset under ``/api/catalog/`` on the monolith;
    one route for the whole subtree the service owns says what the team means. The root
    ``/`` is never taken.
    """
    mine = set(own)
    patterns = set(everyone) | mine
    widened = set()
    for prefix in mine:
        head = url_prefix(prefix)
        best = head
        while head.count("/") > 2:
            parent = head[: head.rstrip("/").rfind("/") + 1]
            if not all(p in mine for p in patterns if p.startswith(parent)):
                break
            best = head = parent
        widened.add(best if best != "/" else url_prefix(prefix))
    # Drop prefixes another kept prefix already covers.
    return tuple(
        sorted(p for p in widened if not any(p != q and p.startswith(q) for q in widened))
    )


def table_name(label: str, db_tables: dict[str, str]) -> str:
    """``<app_label>_<model lower>`` unless the model's ``db_table`` is known."""
    app, _, model = label.partition(".")
    return db_tables.get(label, f"{app}_{model.lower()}")


def propose(
    symbol_graph: DependencyGraph,
    models: dict[str, str],
    urls: Iterable[UrlPattern],
    options: BoundaryOptions,
    db_tables: dict[str, str] | None = None,
) -> Proposal:
    units = units_of(symbol_graph, models, options.granularity)
    view_unit = _view_units(symbol_graph, units, options.granularity)
    urls = [u for u in urls if u.view and u.view in view_unit]
    url_words: dict[str, str] = {}
    for pattern in sorted(urls, key=lambda u: u.pattern):
        word = url_word(pattern.pattern)
        if word:
            url_words.setdefault(view_unit[pattern.view], word)
    result = cluster(units, options, url_words)
    names = name_services(result.groups, units, result.affinity, result.pinned, url_words)
    assignment = {u: name for name, group in zip(names, result.groups) for u in group}
    assignment.update({u: KERNEL_NAME for u in result.kernel})
    modules = _whole_modules(symbol_graph, units, assignment, options.granularity)
    services = []
    for name, group in zip(names, result.groups):
        labels = sorted(label for u in group for label in units.models.get(u, ()))
        patterns = sorted(
            {u.pattern for u in urls if assignment.get(view_unit[u.view]) == name}
        )
        services.append(
            Service(
                name=name,
                members=group,
                modules=tuple(sorted(m for m, owner in modules.items() if owner == name)),
                models=tuple(labels),
                tables=tuple(table_name(label, db_tables or {}) for label in labels),
                url_patterns=tuple(patterns),
                url_prefixes=collapse_prefixes(patterns, (u.pattern for u in urls)),
            )
        )
    services.sort(key=lambda s: s.name)
    return Proposal(
        granularity=options.granularity,
        seed=options.seed,
        services=tuple(services),
        kernel=result.kernel,
        assignment=dict(sorted(assignment.items())),
    )


def _view_units(graph: DependencyGraph, units: Units, granularity: str) -> dict[str, str]:
    """Symbol id of a view -> the unit holding it at this granularity."""
    mapping = {}
    for node in graph.nodes():
        unit = {"symbol": node.id, "module": node.module, "app": node.app}[granularity]
        if unit in units.app:
            mapping[node.id] = unit
    return mapping


def _whole_modules(
    graph: DependencyGraph, units: Units, assignment: dict[str, str], granularity: str
) -> dict[str, str]:
    if granularity != "symbol":
        return {}
    owners: dict[str, set[str]] = {}
    for unit in units.ids:
        owners.setdefault(units.module[unit], set()).add(assignment.get(unit, KERNEL_NAME))
    return {module: next(iter(o)) for module, o in owners.items() if len(o) == 1}
