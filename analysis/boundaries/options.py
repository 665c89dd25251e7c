"""Options of the boundary proposal: frozen, keyword-only, with the defaults documented in
docs/boundaries.md (data coupling weighs more than imports)."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

# Weight of one piece of evidence per edge kind: data coupling (relations, ORM, serializers,
# transactions) outweighs code coupling (calls, references) which outweighs bare imports.
DEFAULT_KIND_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {
        "fk": 3.0, "o2o": 3.0, "m2m": 2.0, "orm": 3.0, "transaction": 2.0, "serializer": 4.0,
        "signal": 1.0, "url": 1.0, "call": 2.0, "reference": 1.0, "import": 0.5, "celery": 2.0,
    }
)  # fmt: skip

DEFAULT_SEED = 42


@dataclass(frozen=True, kw_only=True)
class BoundaryOptions:
    """How to cut the graph into services.

    ``services``: wanted number of services (``None``: chosen by the merge criterion).
    ``pins``: service name -> member ids or prefixes (``monolith.core.views`` pins every
    symbol of that module) fixed by hand. ``cross_app``: factor on edges between two Django
    apps; ``published``: factor on a relation into a model referenced from ``published_apps``
    or more apps by a model with several relations (a referenced entity is not owned by its
    referrers). ``colocation``: affinity spread over the members of one module.
    ``merge_ratio``: a cluster whose coupling to its best neighbour reaches this share of its
    own internal weight is a fragment of that neighbour. ``kernel_fraction``: a module used by
    at least this share of the apps (and at least ``kernel_min_apps``) that touches no data is
    shared kernel. ``restarts``: Louvain runs from this many consecutive seeds and keeps
    the partition of highest modularity. ``url_blocks``: the views under one URL word move
    as one (``blocks.py``); ``event_logs``: event-log clusters fold into the cluster they
    record (``eventlog.py``); both on by default, off only to measure what they bring.
    ``ned_bounds``: (min, max) service size for NED.
    """

    granularity: str = "symbol"
    services: int | None = None
    seed: int = DEFAULT_SEED
    pins: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    kind_weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_KIND_WEIGHTS))
    write_factor: float = 2.0
    cross_app: float = 0.1
    published: float = 0.3
    published_apps: int = 3
    colocation: float = 2.0
    url_affinity: float = 4.0
    resolution: float = 1.0
    restarts: int = 5
    url_blocks: bool = True
    event_logs: bool = True
    merge_ratio: float = 0.8
    min_size: int = 3
    kernel_fraction: float = 1 / 3
    kernel_min_apps: int = 3
    orchestrator_spread: int = 3
    orchestrator_share: float = 0.5
    ned_bounds: tuple[int, int] = (5, 60)
