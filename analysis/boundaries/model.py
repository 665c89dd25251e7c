"""The values a proposal is made of: plain frozen dataclasses (no networkx)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Service:
    name: str
    members: tuple[str, ...]  # clustered node ids (symbols at symbol granularity)
    modules: tuple[str, ...]  # modules whose every symbol is a member
    models: tuple[str, ...]  # "label.Model"
    tables: tuple[str, ...]
    url_patterns: tuple[str, ...]
    url_prefixes: tuple[str, ...]
    metrics: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Proposal:
    granularity: str
    seed: int
    services: tuple[Service, ...]
    kernel: tuple[str, ...]  # the shared library: not a service
    assignment: dict[str, str]  # node id -> service name ("shared" for the kernel)
