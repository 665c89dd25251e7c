"""On-disk cache keyed by file content hash and analyser version.

Three pickles per analysed root under the cache directory:

- ``index``: per file its size, mtime, content hash and skip reason (small, read first);
- ``facts-N`` (16 shards by path): per file its extracted facts, read only when some file
  changed; a run rewrites only the shards holding files it parsed;
- ``result``: the last whole result, valid for exactly one set of file hashes.

A file is trusted without reading when its size and mtime are unchanged; otherwise it is
read and hashed, and its facts reused if the content is the same. When every hash matches
the last run, the stored result is returned as is. A missing, stale or corrupt cache only
costs time: it is ignored and rewritten, never an error.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.facts import ANALYSER_VERSION, FileFacts

DEFAULT_CACHE_DIRNAME = ".strangler-cache"
SHARDS = 16
_LOAD_ERRORS = (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError)


@dataclass(frozen=True, slots=True)
class IndexEntry:
    size: int
    mtime_ns: int
    digest: str
    module: str
    reason: str = ""  # why the file was skipped; "" when it has facts


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
        try:
            with self._path(part).open("rb") as handle:
                version, payload = pickle.load(handle)
        except _LOAD_ERRORS:
            return None
        return payload if version == ANALYSER_VERSION else None

    def _save(self, part: str, payload: object) -> None:
        """Write atomically (temp file + rename); an unwritable cache is silently skipped."""
        path = self._path(part)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{part}-", suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                pickle.dump((ANALYSER_VERSION, payload), handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except (OSError, pickle.PicklingError):
            return

    def load_index(self) -> dict[str, IndexEntry]:
        index = self._load("index")
        return index if isinstance(index, dict) else {}

    def load_facts(self) -> dict[str, FileFacts]:
        facts: dict[str, FileFacts] = {}
        for shard in range(SHARDS):
            stored = self._load(f"facts{shard}")
            if isinstance(stored, dict):
                facts.update(stored)
        return facts

    def save(
        self,
        index: dict[str, IndexEntry],
        facts: dict[str, FileFacts],
        changed: Iterable[str] | None = None,
    ) -> None:
        """Store the index and the facts shards holding ``changed`` files (all if None)."""
        shards: dict[int, dict[str, FileFacts]] = {shard: {} for shard in range(SHARDS)}
        for rel, file_facts in facts.items():
            shards[shard_of(rel)][rel] = file_facts
        dirty = set(shards) if changed is None else {shard_of(rel) for rel in changed}
        for shard in sorted(dirty):
            self._save(f"facts{shard}", shards[shard])
        self._save("index", index)

    def save_index(self, index: dict[str, IndexEntry]) -> None:
        self._save("index", index)

    def load_result(self, key: str) -> Any:
        stored = self._load("result")
        if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == key:
            return stored[1]
        return None

    def save_result(self, key: str, result: object) -> None:
        self._save("result", (key, result))
