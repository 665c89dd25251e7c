"""Cut the affinity graph into services, deterministically for a seed.

1. Louvain (networkx) on the affinity graph without the kernel: fine clusters. The views
   under one URL word are one node (a URL block, ``blocks.py``), and Louvain runs from
   ``restarts`` consecutive seeds keeping the partition of highest modularity.
2. Models anchor services: a cluster holding no model merges into the cluster it is most
   coupled to; so does a fragment (smaller than ``min_size``, or coupled to its best
   neighbour by ``merge_ratio`` of its own internal weight or more). Smallest first.
3. Units with no affinity at all follow their module's (else their app's) majority; so does
   a cluster without a model that is coupled to nothing.
4. Refinement (``refine.py``): each unpinned unit, or URL block as a whole, moves to the
   cluster it has the most affinity with, until nothing moves.
5. Event logs (``eventlog.py``): a cluster whose models are all written only by signal
   receivers and hold no relation joins the cluster whose changes its receivers record.
6. Orchestrators: a unit spreading its affinity over ``orchestrator_spread`` clusters or
   more, none holding ``orchestrator_share`` of it, joins the kernel (seeders, wiring); so
   does a helper that touches no data and is used from at least
   ``max(2, kernel_fraction x clusters)`` clusters (the kernel of a single layered app).
7. ``services=N``: a finer Louvain resolution until there are enough clusters, then the
   most coupled pair (relative to the smaller one's internal weight) merges until N remain.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from math import ceil

import networkx as nx

from analysis.boundaries.affinity import build_affinity
from analysis.boundaries.blocks import louvain, url_blocks
from analysis.boundaries.eventlog import fold_event_logs
from analysis.boundaries.kernel import detect_kernel
from analysis.boundaries.merging import best_label, merge_fragments, merge_to
from analysis.boundaries.options import BoundaryOptions
from analysis.boundaries.pins import resolve_pins
from analysis.boundaries.refine import refine, scores
from analysis.boundaries.units import DATA_KINDS, Units

RESOLUTIONS = (1.0, 1.5, 2.0, 3.0, 5.0, 8.0)


@dataclass(frozen=True)
class Clustering:
    groups: tuple[tuple[str, ...], ...]  # sorted units per service, services sorted
    kernel: tuple[str, ...]
    pinned: dict[str, str]  # unit -> pin name
    affinity: nx.Graph


def cluster(
    units: Units, options: BoundaryOptions, url_words: dict[str, str] | None = None
) -> Clustering:
    pinned = resolve_pins(units, dict(options.pins))
    kernel = set(detect_kernel(units, options)) - set(pinned)
    affinity = build_affinity(units, frozenset(kernel), options, url_words)
    routed = {u: w for u, w in (url_words or {}).items() if u in affinity}
    blocks = url_blocks(routed, pinned) if options.url_blocks else {}
    wanted = options.services
    assign: dict[str, object] = {}
    for resolution in [options.resolution, *(r for r in RESOLUTIONS if r > options.resolution)]:
        assign = _cut(affinity, units, pinned, options, resolution, blocks)
        if wanted is None or len(set(assign.values())) >= wanted:
            break
    assign = _fallback(affinity, units, assign)
    assign = _adopt_orphans(units, assign)
    assign = refine(affinity, units, pinned, assign, blocks)
    if options.event_logs:
        assign = fold_event_logs(affinity, units, pinned, assign)
    kernel |= _orchestrators(affinity, units, pinned, assign, options)
    kernel |= _shared_helpers(units, pinned, assign, options)
    for unit in kernel:
        assign.pop(unit, None)
    if wanted is not None:
        assign = merge_to(affinity, assign, wanted, pinned)
    groups: dict[object, list[str]] = {}
    for unit in sorted(assign):
        groups.setdefault(assign[unit], []).append(unit)
    ordered = sorted((tuple(g) for g in groups.values()), key=lambda g: (-len(g), g))
    return Clustering(tuple(ordered), tuple(sorted(kernel)), pinned, affinity)


def _cut(
    affinity: nx.Graph,
    units: Units,
    pinned: dict[str, str],
    options: BoundaryOptions,
    resolution: float,
    blocks: dict[str, tuple[str, ...]],
) -> dict[str, object]:
    free = affinity.subgraph(sorted(u for u in affinity if u not in pinned))
    ordered = louvain(free, blocks, resolution, options.seed, options.restarts)
    assign: dict[str, object] = {u: i for i, members in enumerate(ordered) for u in members}
    assign.update({u: f"pin:{name}" for u, name in pinned.items() if u in affinity})
    return merge_fragments(affinity, units, assign, options)


def _fallback(affinity: nx.Graph, units: Units, assign: dict[str, object]) -> dict[str, object]:
    alone = sorted(u for u in assign if affinity.degree(u) == 0)
    placed = [u for u in sorted(assign) if affinity.degree(u) > 0]
    for unit in alone:
        votes = Counter(assign[u] for u in placed if units.module[u] == units.module[unit])
        votes = votes or Counter(assign[u] for u in placed if units.app[u] == units.app[unit])
        if votes:
            assign[unit] = best_label(votes)
    return assign


def _adopt_orphans(units: Units, assign: dict[str, object]) -> dict[str, object]:
    """A cluster holding no model and coupled to nothing (so step 2 could not merge it)
    joins the model-holding cluster with most of its module's, else its app's, units."""
    anchored = {label for u, label in assign.items() if u in units.models}
    orphans: dict[object, list[str]] = {}
    for unit in sorted(assign):
        if assign[unit] not in anchored and not str(assign[unit]).startswith("pin:"):
            orphans.setdefault(assign[unit], []).append(unit)
    for members in orphans.values():
        modules = {units.module[u] for u in members}
        apps = {units.app[u] for u in members}
        votes = Counter(
            label for u, label in assign.items() if label in anchored and units.module[u] in modules
        )
        votes = votes or Counter(
            label for u, label in assign.items() if label in anchored and units.app[u] in apps
        )
        if votes:
            target = best_label(votes)
            for unit in members:
                assign[unit] = target
    return assign


def _orchestrators(
    affinity: nx.Graph,
    units: Units,
    pinned: dict[str, str],
    assign: dict[str, object],
    options: BoundaryOptions,
) -> set[str]:
    found = set()
    for unit in sorted(assign):
        if unit in units.models or unit in pinned:
            continue
        spread = scores(affinity, unit, assign)
        total = sum(spread.values())
        if len(spread) >= options.orchestrator_spread and (
            max(spread.values()) < options.orchestrator_share * total
        ):
            found.add(unit)
    return found


def _shared_helpers(
    units: Units, pinned: dict[str, str], assign: dict[str, object], options: BoundaryOptions
) -> set[str]:
    clusters = len(set(assign.values()))
    needed = max(2, ceil(options.kernel_fraction * clusters))
    users: dict[str, set[object]] = {}
    touches_data = set()
    for edge in units.graph.edges():
        if edge.source == edge.target:
            continue
        if edge.kind in DATA_KINDS:
            touches_data.add(edge.source)
        if edge.target in assign and edge.source in assign:
            users.setdefault(edge.target, set()).add(assign[edge.source])
    return {
        unit for unit, using in users.items()
        if len(using) >= needed and unit not in units.models and unit not in pinned
        and unit not in touches_data
    }  # fmt: skip

