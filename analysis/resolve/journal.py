"""The journal: files patched by incremental runs since the stored base result.

A base result of a large codebase holds tens of thousands of edges and takes a second to
write; an edit changes a few dozen records. So an incremental run stores only the patched
files (their evidence in the base, their evidence now, an edited module's nodes and facts)
and the lookups its resolution recorded; loading applies them to the base result and its
state. One entry per file however often it is edited, so the journal stays small; past
``MAX_RECORDS`` the pipeline writes a new base instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from analysis.facts import FileFacts
from analysis.resolve.incremental import FilePatch, Update
from analysis.resolve.names import NameIndex, Reader
from analysis.resolve.state import ResolveState

MAX_RECORDS = 20_000


@dataclass
class Journal:
    base_key: str  # the base result it applies to
    key: str  # the result base + journal make
    patches: dict[str, FilePatch] = field(default_factory=dict)  # by file, against the base
    facts: dict[str, FileFacts] = field(default_factory=dict)  # edited modules, by module
    readers: dict[tuple[str, str], set[Reader]] = field(default_factory=dict)

    def size(self) -> int:
        return sum(len(p.removed) + len(p.added) for p in self.patches.values())


def apply_to_state(
    state: ResolveState,
    facts: dict[str, FileFacts],
    readers: dict[tuple[str, str], set[Reader]],
) -> None:
    """The state after edits: edited modules' scopes, and the lookups recorded since."""
    if facts:
        names = NameIndex(tables=state.tables)
        for module, file_facts in facts.items():
            names.reindex(module, file_facts)
        state.tables = names.tables()
    for key, found in readers.items():
        state.readers.setdefault(key, set()).update(found)


def extend(journal: Journal, update: Update, facts: dict[str, FileFacts], key: str) -> Journal:
    """The journal after one more incremental run (entries merged per file)."""
    patches = dict(journal.patches)
    for file, patch in update.patches.items():
        before = patches.get(file)
        if before is None:
            patches[file] = patch
            continue
        patches[file] = FilePatch(
            patch.module,
            before.removed,  # still what the base holds
            patch.added,
            before.old_nodes or patch.old_nodes,
            patch.new_nodes or before.new_nodes,
        )
    readers = {k: set(v) for k, v in journal.readers.items()}
    for lookup, found in update.readers.items():
        readers.setdefault(lookup, set()).update(found)
    return Journal(journal.base_key, key, patches, {**journal.facts, **facts}, readers)
