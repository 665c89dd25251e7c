"""On-disk cache keyed by file content hash and analyser version.

Pickles per analysed root under the cache directory:

- ``index``: per file its size, mtime, content hash and skip reason (small, read first),
  plus the key of the stored result those files produce;
- ``facts-N`` (16 shards by path): per file its extracted facts, read only when some file
  changed; a run rewrites only the shards holding files whose facts changed;
- ``result``: the last whole result with its key (the base);
- ``state``: the indexes of the resolution that produced the base (its key too), read only
  by an incremental run;
- ``journal``: the files patched since the base by incremental runs, with the key of the
  result base + journal make; small, so an edit does not rewrite the whole result.

A file is trusted without reading when its size and mtime are unchanged; otherwise it is
read and hashed, and its facts reused if the content is the same. When the index's result
key matches the stored result, that result is returned as is; an edit that leaves a file's
facts equal (a comment, a blank line at the end) keeps the key too. Pickles are read with
the cyclic garbage collector paused: they hold only acyclic values, and collection passes
triggered by hundreds of thousands of new objects otherwise double the load time. A
missing, stale or corrupt cache only costs time: it is ignored and rewritten, never an
error.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import tempfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.facts import ANALYSER_VERSION, FileFacts, fast_pickling

DEFAULT_CACHE_DIRNAME = ".strangler-cache"
SHARDS = 16
# Bumped when the stored result, state or journal change shape (the facts have their own).
CACHE_FORMAT = "2"
_VERSION = f"{ANALYSER_VERSION}.{CACHE_FORMAT}"
_LOAD_ERRORS = (
    OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError,
    ImportError, IndexError, KeyError,
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class IndexEntry:
    size: int
    mtime_ns: int
    digest: str
    module: str
    reason: str = ""  # why the file was skipped; "" when it has facts


fast_pickling(IndexEntry)  # the index is written by every run that saw a touched file


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def shard_of(rel: str) -> int:
    return zlib.crc32(rel.encode()) % SHARDS


def run_key(index: dict[str, IndexEntry]) -> str:
    """One hash for a whole set of files: same key, same result."""
    h = hashlib.blake2b(ANALYSER_VERSION.encode(), digest_size=16)
    for rel in sorted(index):
        entry = index[rel]
        h.update(f"{rel}\0{entry.module}\0{entry.digest}\0{entry.reason}\n".encode())
    return h.hexdigest()


class FactCache:
    def __init__(self, directory: Path, root: Path) -> None:
        key = hashlib.blake2b(str(root.resolve()).encode(), digest_size=8).hexdigest()
        self._stem = directory / f"{root.name}-{key}"

    def _path(self, part: str) -> Path:
        return self._stem.with_name(f"{part}-{self._stem.name}.pickle")

    def _load(self, part: str) -> Any:
        paused = gc.isenabled()
        gc.disable()
        try:
            with self._path(part).open("rb") as handle:
                version, payload = pickle.load(handle)
        except _LOAD_ERRORS:
            return None
        finally:
            if paused:
                gc.enable()
        return payload if version == _VERSION else None

    def _save(self, part: str, payload: object) -> None:
        """Write atomically (temp file + rename); an unwritable cache is silently skipped."""
        path = self._path(part)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{part}-", suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                pickle.dump((_VERSION, payload), handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except (OSError, pickle.PicklingError):
            return

    def load_index(self) -> tuple[dict[str, IndexEntry], str]:
        """The files of the last run and the key of the result they produced ("" if none)."""
        stored = self._load("index")
        if (
            isinstance(stored, tuple)
            and len(stored) == 2
            and isinstance(stored[0], dict)
            and isinstance(stored[1], str)
        ):
            return stored[0], stored[1]
        return {}, ""

    def load_facts(self, rels: Iterable[str] | None = None) -> dict[str, FileFacts]:
        """Stored facts: all of them, or (``rels``) at least those of the shards holding rels."""
        shards = range(SHARDS) if rels is None else sorted({shard_of(rel) for rel in rels})
        facts: dict[str, FileFacts] = {}
        for shard in shards:
            stored = self._load(f"facts{shard}")
            if isinstance(stored, dict):
                facts.update(stored)
        return facts

    def save(
        self,
        index: dict[str, IndexEntry],
        facts: dict[str, FileFacts],
        changed: Iterable[str] | None = None,
        result_key: str = "",
    ) -> None:
        """Store the index and the facts shards holding ``changed`` files (all if None)."""
        shards: dict[int, dict[str, FileFacts]] = {shard: {} for shard in range(SHARDS)}
        for rel, file_facts in facts.items():
            shards[shard_of(rel)][rel] = file_facts
        dirty = set(shards) if changed is None else {shard_of(rel) for rel in changed}
        for shard in sorted(dirty):
            self._save(f"facts{shard}", shards[shard])
        self._save("index", (index, result_key))

    def save_index(self, index: dict[str, IndexEntry], result_key: str) -> None:
        self._save("index", (index, result_key))

    def facts_unchanged(
        self,
        cached_index: dict[str, IndexEntry],
        parsed: dict[str, IndexEntry],
        new_facts: dict[str, FileFacts],
        old_facts: dict[str, FileFacts],
    ) -> bool:
        """Whether every re-parsed file yields what it yielded last run (facts or skip);
        ``old_facts``: the stored facts, at least those of the re-parsed files."""
        for rel, entry in parsed.items():
            old = cached_index.get(rel)
            if old is None or old.module != entry.module or old.reason != entry.reason:
                return False
        return all(
            entry.reason or (rel in old_facts and old_facts[rel] == new_facts.get(rel))
            for rel, entry in parsed.items()
        )

    def load_result(self, key: str | None = None) -> tuple[str, Any]:
        """The stored base result and its key (only if it is ``key``, when given)."""
        return self._keyed("result", key)

    def save_result(self, key: str, result: object) -> None:
        self._save("result", (key, result))

    def load_state(self, key: str) -> Any:
        return self._keyed("state", key)[1]

    def save_state(self, key: str, state: object) -> None:
        self._save("state", (key, state))

    def load_journal(self) -> Any:
        return self._load("journal")

    def save_journal(self, journal: object) -> None:
        self._save("journal", journal)

    def drop_journal(self) -> None:
        try:
            self._path("journal").unlink()
        except OSError:
            return

    def _keyed(self, part: str, key: str | None) -> tuple[str, Any]:
        stored = self._load(part)
        if (
            isinstance(stored, tuple)
            and len(stored) == 2
            and isinstance(stored[0], str)
            and (key is None or stored[0] == key)
        ):
            return stored[0], stored[1]
        return "", None
