"""The values a plan is made of (plain frozen dataclasses; renderers read them)."""

from __future__ import annotations

from dataclasses import dataclass

from analysis.boundaries.model import Proposal
from analysis.graph.model import DependencyGraph
from analysis.records import Location


@dataclass(frozen=True)
class Seam:
    source: str
    target: str
    kind: str
    from_service: str
    to_service: str
    locations: tuple[Location, ...]
    change: str  # what cutting it takes


@dataclass(frozen=True)
class ModelOwnership:
    model: str  # "label.Model"
    owner: str
    readers: tuple[str, ...]
    writers: tuple[str, ...]

    @property
    def shared_write(self) -> bool:
        return len(self.writers) > 1


@dataclass(frozen=True)
class DistributedTransaction:
    owner: str  # the symbol holding the atomic block
    services: tuple[str, ...]
    models: tuple[str, ...]
    location: Location


@dataclass(frozen=True)
class Step:
    order: int
    service: str
    members: tuple[str, ...]
    models: tuple[str, ...]
    tables: tuple[str, ...]
    url_patterns: tuple[str, ...]
    seams_to_cut: tuple[Seam, ...]
    inbound: int
    shared_writes: int
    risk: float


@dataclass(frozen=True)
class ServiceLink:
    """All seams from one service (or the kernel) to another, summed for pictures."""

    source: str
    target: str
    seams: int
    kinds: tuple[tuple[str, int], ...]  # most frequent first


@dataclass(frozen=True)
class Plan:
    root: str
    proposal: Proposal
    seams: tuple[Seam, ...]
    ownership: tuple[ModelOwnership, ...]
    transactions: tuple[DistributedTransaction, ...]
    steps: tuple[Step, ...]
    broken_cycle_edges: tuple[tuple[str, str, float], ...]  # (from, to, weight)
    links: tuple[ServiceLink, ...]
    service_graph: DependencyGraph  # one node per service (and the kernel), seams as edges
    metrics: dict[str, float]
    service_metrics: dict[str, dict[str, float]]
    contract: dict[str, object]
