"""On-disk cache keyed by file content hash and analyser version.

Pickles per analysed root under the cache directory:

- ``index``: per file its size, mtime, content hash and skip reason (small, read first),
  plus the key of the stored result those files produce;
- ``facts-N`` (16 shards by path): per file its extracted facts, packed as plain tuples
  (``analysis.extract.packed``) in one ``marshal`` blob, read only when some file changed
  and unpacked only for the files a run uses; a run rewrites only the shards holding files
  whose facts changed;
- ``result``: the last whole result with its key (the base);
- ``state``: the indexes of the resolution that produced the base (its key too), read only
  by an incremental run; its lookup records (``readers``) apart, in 16 ``readersN`` shards
  by looked-up module, each read only when the edit's walk reaches it;
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
import marshal
import os
import pickle
import tempfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.facts import ANALYSER_VERSION, fast_pickling

DEFAULT_CACHE_DIRNAME = ".strangler-cache"
SHARDS = 16
# Bumped when the stored result, state or journal change shape (the facts have their own).
CACHE_FORMAT = "3"
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
        self._shards: dict[int, dict[str, Any]] = {}  # facts shards read so far, packed

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

    def _shard(self, shard: int) -> dict[str, Any]:
        """One facts shard's packed rows by file (read once per run; {} if missing)."""
        rows = self._shards.get(shard)
        if rows is None:
            blob = self._load(f"facts{shard}")
            try:
                rows = marshal.loads(blob) if isinstance(blob, bytes) else {}
            except (EOFError, ValueError, TypeError):
                rows = {}
            if not isinstance(rows, dict):
                rows = {}
            self._shards[shard] = rows
        return rows

    def load_packed(self, rels: Iterable[str] | None = None) -> dict[str, Any]:
        """Stored facts, packed (``analysis.extract.packed``): all, or those of ``rels``.

        Only the shards holding ``rels`` are read, and the caller unpacks only what it
        uses: an edit needs the facts of a file or two out of thousands.
        """
        if rels is None:
            packed: dict[str, Any] = {}
            for shard in range(SHARDS):
                packed.update(self._shard(shard))
            return packed
        found = {}
        for rel in rels:
            row = self._shard(shard_of(rel)).get(rel)
            if row is not None:
                found[rel] = row
        return found

    def save(
        self,
        index: dict[str, IndexEntry],
        packed: dict[str, Any],
        changed: Iterable[str] | None = None,
        result_key: str = "",
    ) -> None:
        """Store the index and the facts shards holding ``changed`` files (all if None).

        ``packed``: every file's packed facts (the dirty shards are rebuilt from it)."""
        shards: dict[int, dict[str, Any]] = {shard: {} for shard in range(SHARDS)}
        for rel, row in packed.items():
            shards[shard_of(rel)][rel] = row
        dirty = set(shards) if changed is None else {shard_of(rel) for rel in changed}
        for shard in sorted(dirty):
            self._save_shard(shard, shards[shard])
        self._save("index", (index, result_key))

    def save_edited(
        self, index: dict[str, IndexEntry], packed: dict[str, Any], result_key: str
    ) -> None:
        """Store the index and the packed facts of edited files (their shards rewritten)."""
        for shard in sorted({shard_of(rel) for rel in packed}):
            rows = dict(self._shard(shard))
            rows.update((rel, row) for rel, row in packed.items() if shard_of(rel) == shard)
            self._save_shard(shard, rows)
        self._save("index", (index, result_key))

    def _save_shard(self, shard: int, rows: dict[str, Any]) -> None:
        # A marshal blob inside the versioned pickle: marshal reads plain tuples ~2x faster.
        self._shards[shard] = rows
        self._save(f"facts{shard}", marshal.dumps(rows))

    def save_index(self, index: dict[str, IndexEntry], result_key: str) -> None:
        self._save("index", (index, result_key))

    def facts_unchanged(
        self,
        cached_index: dict[str, IndexEntry],
        parsed: dict[str, IndexEntry],
        new_packed: dict[str, Any],
    ) -> bool:
        """Whether every re-parsed file yields what it yielded last run (facts or skip);
        ``new_packed``: the re-parsed files' packed facts."""
        for rel, entry in parsed.items():
            old = cached_index.get(rel)
            if old is None or old.module != entry.module or old.reason != entry.reason:
                return False
        old_packed = self.load_packed(rel for rel, entry in parsed.items() if not entry.reason)
        return all(
            entry.reason or (rel in old_packed and old_packed[rel] == new_packed.get(rel))
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

    def save_readers(self, key: str, shards: list[dict[Any, Any]]) -> None:
        """The state's ``readers`` in shards (``analysis.resolve.state.split_readers``)."""
        for shard, rows in enumerate(shards):
            self._save(f"readers{shard}", marshal.dumps((key, rows)))

    def load_readers(self, key: str, shard: int) -> dict[Any, Any]:
        """One shard of ``key``'s readers; ``KeyError`` if missing, stale or corrupt."""
        blob = self._load(f"readers{shard}")
        try:
            stored_key, rows = marshal.loads(blob) if isinstance(blob, bytes) else ("", None)
        except (EOFError, ValueError, TypeError):
            stored_key, rows = "", None
        if stored_key != key or not isinstance(rows, dict):
            raise KeyError(f"readers shard {shard} of {key}")
        return rows

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
