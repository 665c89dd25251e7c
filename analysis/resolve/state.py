"""What a full resolution leaves for the next run: its indexes, stored with the result.

An incremental run (``analysis.resolve.incremental``) rebuilds an ``EdgeBuilder`` from this
state instead of from every file's facts: the name scopes (and who read which name), the
Django index, and the cross-file sets the edges are checked against (tasks, serializers,
receivers, signal maps, model relations, URL views).

``readers`` (who read which name: a third of the state) is stored apart in shards by the
looked-up module and read back as ``ShardedReaders``: an edit walks back from the names it
rebinds, which sit in a shard or two.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from analysis.resolve.django import DjangoIndex
from analysis.resolve.edges import EdgeBuilder
from analysis.resolve.names import NameIndex, NameTables, Reader


READER_SHARDS = 16
ReaderMap = dict[tuple[str, str], set[Reader]]


def reader_shard(module: str) -> int:
    return zlib.crc32(module.encode()) % READER_SHARDS


def split_readers(readers: ReaderMap) -> list[ReaderMap]:
    """``readers`` in ``READER_SHARDS`` parts, by the module of each looked-up name."""
    shards: list[ReaderMap] = [{} for _ in range(READER_SHARDS)]
    for key, found in readers.items():
        shards[reader_shard(key[0])][key] = found
    return shards


class ShardedReaders:
    """``readers`` read a shard at a time, when a name of that shard is first asked about.

    ``load(shard)`` returns the shard or raises ``KeyError`` (missing, stale or corrupt):
    a shard read as empty would hide dependents, so the caller resolves everything instead.
    """

    def __init__(self, load: Callable[[int], ReaderMap]) -> None:
        self._load = load
        self._shards: dict[int, ReaderMap] = {}

    def _shard(self, module: str) -> ReaderMap:
        shard = reader_shard(module)
        found = self._shards.get(shard)
        if found is None:
            found = self._shards[shard] = self._load(shard)
        return found

    def get(self, key: tuple[str, str], default: Any = None) -> Any:
        return self._shard(key[0]).get(key, default)

    def setdefault(self, key: tuple[str, str], default: set[Reader]) -> set[Reader]:
        return self._shard(key[0]).setdefault(key, default)

    def keys_of(self, module: str) -> list[tuple[str, str]]:
        """The looked-up names of ``module`` (one shard read)."""
        return [key for key in self._shard(module) if key[0] == module]

    def items(self) -> Iterator[tuple[tuple[str, str], set[Reader]]]:
        for shard in range(READER_SHARDS):
            if shard not in self._shards:
                self._shards[shard] = self._load(shard)
            yield from self._shards[shard].items()

    def whole(self) -> ReaderMap:
        return dict(self.items())


@dataclass
class ResolveState:
    root: str
    tables: NameTables
    readers: ReaderMap | ShardedReaders
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
