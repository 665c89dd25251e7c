"""Resolved values handed from ``analysis.resolve`` to ``analysis.graph`` and the renderers.

Node ids follow the JSON contract: ``pkg.mod`` for a module, ``pkg.mod:Name`` for a
top-level class or function, an app label at app granularity.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from analysis.facts import fast_pickling

EDGE_KINDS = (
    "import", "reference", "call", "fk", "m2m", "o2o", "signal", "url", "serializer", "orm",
    "transaction", "celery",
)  # fmt: skip


class Location(NamedTuple):
    """Where evidence sits. A named tuple: hashed, sorted and unpickled at C speed, which
    matters because a large codebase yields hundreds of thousands of them."""

    file: str
    line: int


@dataclass(frozen=True, slots=True)
class NodeRecord:
    """One node: ``kind`` is "module", "class" or "function"; ``tags`` say what Django
    role it plays ("model", "abstract", "serializer", "view", "task", "receiver", "settings",
    "urls", "app_config")."""

    id: str
    kind: str
    module: str
    app: str
    file: str
    line: int
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EdgeRecord:
    """One piece of evidence: ``source`` depends on ``target`` in this way, here.

    ``detail`` refines the kind ("read"/"write" for orm, "type_checking"/"dynamic" for
    imports, "get_model", "meta.model"...); the graph merges records into weighted edges.
    """

    source: str
    target: str
    kind: str
    location: Location
    detail: str = ""


@dataclass(frozen=True, slots=True)
class UrlPattern:
    """A URL pattern with its accumulated prefix, mapped to its view (a node id or "")."""

    pattern: str
    view: str
    file: str
    line: int
    name: str = ""
    reachable: bool = True


@dataclass(frozen=True, slots=True)
class AppRecord:
    """A Django app of the analysed code: label, package and where it was declared."""

    label: str
    package: str
    installed: bool


fast_pickling(NodeRecord, EdgeRecord, UrlPattern, AppRecord)
