"""The shared kernel: utilities and base classes most of the code leans on.

They glue unrelated domains together when clustered, so they are taken out first and
reported as a library. A group (a module, or the unit itself at app granularity) is kernel
when it holds no model, touches no data (no relation/ORM/serializer/transaction edge leaves
it) and is used from at least ``max(kernel_min_apps, kernel_fraction x apps)`` Django apps.
"""

from __future__ import annotations

from math import ceil

from analysis.boundaries.options import BoundaryOptions
from analysis.boundaries.units import DATA_KINDS, Units


def detect_kernel(units: Units, options: BoundaryOptions) -> frozenset[str]:
    graph = units.graph
    apps = {units.app[u] for u in units.ids}
    needed = max(options.kernel_min_apps, ceil(options.kernel_fraction * len(apps)))
    if len(apps) < needed:
        return frozenset()
    group_of = {u: units.module[u] for u in units.ids}
    users: dict[str, set[str]] = {}
    touches_data: set[str] = set()
    with_models = {group_of[u] for u in units.models}
    for edge in graph.edges():
        if edge.source == edge.target or edge.target not in group_of:
            continue
        source_app = units.app.get(edge.source, "")
        users.setdefault(group_of[edge.target], set()).add(source_app)
        if edge.kind in DATA_KINDS and edge.source in group_of:
            touches_data.add(group_of[edge.source])
    kernel_groups = {
        group
        for group, using in users.items()
        if len(using) >= needed and group not in with_models and group not in touches_data
    }
    return frozenset(u for u in units.ids if group_of[u] in kernel_groups)
