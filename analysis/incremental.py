"""Incremental runs over the cache: the stored base result, patched by a journal.

``current_graph`` brings a loaded base graph up to date with the journal (a run over
unchanged code after some edits); ``update_stored`` handles an edit whose facts changed:
it plans the patch (``analysis.resolve.incremental``), applies it to the graph and extends
the journal, or reports that a full resolution is needed. The pipeline decides when to call
them and builds the result around the graph.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import partial
from itertools import chain

from analysis.cache import FactCache
from analysis.extract.packed import unpack
from analysis.facts import FileFacts
from analysis.graph.model import DependencyGraph
from analysis.resolve.incremental import FilePatch, plan_update
from analysis.resolve.journal import MAX_RECORDS, Journal, apply_to_state, extend
from analysis.resolve.state import ResolveState, ShardedReaders, split_readers

Rebase = Callable[[str, ResolveState], None]  # store graph + state as the new base


@dataclass(frozen=True, slots=True)
class Outcome:
    modules: int  # modules re-resolved
    rebased: bool  # the journal grew too big: a new base was written


def _patch(graph: DependencyGraph, patches: Iterable[FilePatch]) -> None:
    patches = list(patches)
    graph.patch(
        chain.from_iterable(p.removed for p in patches),
        chain.from_iterable(p.added for p in patches),
        nodes_removed=[n.id for p in patches for n in p.old_nodes],
        nodes_added=[n for p in patches for n in p.new_nodes],
    )


def _journal(cache: FactCache, base_key: str, key: str) -> Journal | None:
    if key == base_key:
        return Journal(base_key, key)
    journal = cache.load_journal()
    if isinstance(journal, Journal) and journal.base_key == base_key and journal.key == key:
        return journal
    return None


def load_facts(cache: FactCache, files: Iterable[str]) -> dict[str, FileFacts]:
    """The stored facts of ``files`` (those the cache holds), by file."""
    return {file: unpack(row) for file, row in cache.load_packed(files).items()}


def store_state(cache: FactCache, key: str, state: ResolveState) -> None:
    """Store ``state`` as ``key``'s: its readers in shards, the rest in one piece."""
    readers = state.readers
    whole = readers.whole() if isinstance(readers, ShardedReaders) else readers
    cache.save_state(key, replace(state, readers={}))
    cache.save_readers(key, split_readers(whole))


def stored_state(cache: FactCache, key: str) -> ResolveState | None:
    """``key``'s stored state, its readers read shard by shard when first needed."""
    state = cache.load_state(key)
    if not isinstance(state, ResolveState):
        return None
    state.readers = ShardedReaders(partial(cache.load_readers, key))
    return state


def current_graph(cache: FactCache, base_key: str, key: str, graph: DependencyGraph) -> bool:
    """Patch the base ``graph`` to the result ``key`` names; False if the journal does not."""
    journal = _journal(cache, base_key, key)
    if journal is None:
        return False
    _patch(graph, journal.patches.values())
    return True


def update_stored(
    cache: FactCache,
    base_key: str,
    graph: DependencyGraph,
    keys: tuple[str, str],
    files: dict[str, str],
    old: dict[str, FileFacts],
    new: dict[str, FileFacts],
    rebase: Rebase,
) -> Outcome | None:
    """Patch the base ``graph`` from the result ``keys[0]`` to ``keys[1]`` after edits.

    ``files``: the edited files by module; ``old``/``new``: their facts before and after,
    by module. Returns None,
    leaving the cache as it was, when the edit needs a full resolution.
    """
    current, key = keys
    journal = _journal(cache, base_key, current)
    state = stored_state(cache, base_key)
    if journal is None or state is None:
        return None
    if any(state.files.get(module) != file for module, file in files.items()):
        return None  # a file the resolution did not use (a duplicate module name)
    apply_to_state(state, journal.facts, journal.readers)
    update = plan_update(state, old, new, lambda files: load_facts(cache, files))
    if update is None:
        return None
    _patch(graph, journal.patches.values())  # the base brought to the current result
    _patch(graph, update.patches.values())  # and the edit applied
    journal = extend(journal, update, new, key)
    if journal.size() > MAX_RECORDS:
        apply_to_state(state, new, update.readers)
        rebase(key, state)
        return Outcome(update.resolved, rebased=True)
    cache.save_journal(journal)
    return Outcome(update.resolved, rebased=False)
