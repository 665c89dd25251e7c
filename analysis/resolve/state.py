"""What a full resolution leaves for the next run: its indexes, stored with the result.

An incremental run (``analysis.resolve.incremental``) rebuilds an ``EdgeBuilder`` from this
state instead of from every file's facts: the name scopes (and who read which name), the
Django index, and the cross-file sets the edges are checked against (tasks, serializers,
receivers, signal maps, model relations, URL views).
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.resolve.django import DjangoIndex
from analysis.resolve.edges import EdgeBuilder
from analysis.resolve.names import NameIndex, NameTables, Reader


@dataclass
class ResolveState:
    root: str
    tables: NameTables
    readers: dict[tuple[str, str], set[Reader]]
    django: DjangoIndex
    tasks: set[str]
    serializers: set[str]
    receivers: set[str]
    receivers_by_signal: dict[str, list[str]]
    senders_by_signal: dict[str, list[str]]
    relations_of: dict[str, dict[str, str]]
    views: set[str]
    files: dict[str, str]  # module -> contract-relative path

    def builder(self, names: NameIndex) -> EdgeBuilder:
        """An edge builder over ``names`` sharing this state's cross-file indexes (read only)."""
        builder = EdgeBuilder(names, self.django, self.root)
        builder.tasks = self.tasks
        builder.serializers = self.serializers
        builder.receivers = self.receivers
        builder.receivers_by_signal = self.receivers_by_signal
        builder.senders_by_signal = self.senders_by_signal
        builder.relations_of = self.relations_of
        return builder

    def listening(self) -> set[str]:
        """Every receiver node (the "receiver" tag)."""
        return {r for listeners in self.receivers_by_signal.values() for r in listeners}


def capture_state(
    names: NameIndex, builder: EdgeBuilder, views: set[str], files: dict[str, str], root: str
) -> ResolveState:
    return ResolveState(
        root=root,
        tables=names.tables(),
        readers=names.readers,
        django=builder.django,
        tasks=builder.tasks,
        serializers=builder.serializers,
        receivers=builder.receivers,
        receivers_by_signal=builder.receivers_by_signal,
        senders_by_signal=builder.senders_by_signal,
        relations_of=builder.relations_of,
        views=views,
        files=dict(files),
    )
