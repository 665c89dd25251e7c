"""Extraction of many files: in-process for a few, in a process pool for many.

Workers read, hash and parse their files themselves (nothing but paths crosses over), and
chunks are balanced by file size so both cores finish together. Results come back as one
``marshal`` blob per chunk of plain tuples (``analysis.extract.packed``): pickling the fact
dataclasses cost the workers ~10% of their time and the parent more than rebuilding them.
"""

from __future__ import annotations

import marshal
import os
from collections.abc import Callable
from typing import Any

from analysis.cache import IndexEntry, digest
from analysis.discover import SourceFile
from analysis.extract import UnreadableSource, extract_packed
from analysis.extract.packed import Packed, unpack
from analysis.facts import FileFacts

Progress = Callable[[int, int], None]
# Below this many files to parse, worker start-up costs more than it saves.
PARALLEL_THRESHOLD = 48
# Chunks per worker: enough to even out the last chunks' sizes, few enough that handing
# chunks over (a few milliseconds each) stays negligible.
CHUNKS_PER_JOB = 16

# --- extraction of one file (runs in worker processes) --------------------------------
Extracted = tuple[str, IndexEntry, FileFacts | None]
Kept = dict[str, Packed]  # packed facts by file, as they came out of extraction


def _extract(item: SourceFile, hashed: bool = True, keep: Kept | None = None) -> Extracted:
    rel, entry, packed = _extract_packed(item, hashed)
    if packed is None:
        return rel, entry, None
    if keep is not None:
        keep[rel] = packed
    return rel, entry, unpack(packed)


def _extract_packed(
    item: SourceFile, hashed: bool = True
) -> tuple[str, IndexEntry, Packed | None]:
    try:
        with open(item.path, "rb") as handle:
            stat = os.fstat(handle.fileno())
            data = handle.read()
    except OSError as error:
        reason = f"unreadable: {error.strerror or error}"
        return item.rel, IndexEntry(0, 0, "", item.module, reason), None
    key = digest(data) if hashed else ""  # the hash only keys the cache
    try:
        packed = extract_packed(data, item.module, is_package=item.is_package)
    except UnreadableSource as error:
        entry = IndexEntry(stat.st_size, stat.st_mtime_ns, key, item.module, error.reason)
        return item.rel, entry, None
    return item.rel, IndexEntry(stat.st_size, stat.st_mtime_ns, key, item.module), packed


def _extract_chunk(items: list[SourceFile], hashed: bool = True) -> bytes:
    """A chunk's results as one ``marshal`` blob (see ``_unpack_chunk``)."""
    rows: list[tuple[Any, ...]] = []
    for item in items:
        rel, entry, packed = _extract_packed(item, hashed)
        rows.append(
            (rel, entry.size, entry.mtime_ns, entry.digest, entry.module, entry.reason, packed)
        )
    return marshal.dumps(rows)


def _unpack_chunk(blob: bytes, keep: Kept | None = None) -> list[Extracted]:
    done: list[Extracted] = []
    for rel, size, mtime_ns, key, module, reason, packed in marshal.loads(blob):
        entry = IndexEntry(size, mtime_ns, key, module, reason)
        if packed is not None and keep is not None:
            keep[rel] = packed
        done.append((rel, entry, None if packed is None else unpack(packed)))
    return done


def _chunks(items: list[SourceFile], count: int) -> list[list[SourceFile]]:
    """Spread files over ``count`` chunks, biggest first, so chunks cost about the same."""
    ordered = sorted(items, key=lambda item: -_size(item.path))
    chunks: list[list[SourceFile]] = [[] for _ in range(count)]
    for index, item in enumerate(ordered):
        chunks[index % count].append(item)
    return [chunk for chunk in chunks if chunk]


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def extract_all(
    items: list[SourceFile],
    jobs: int,
    progress: Progress | None,
    offset: int,
    total: int,
    *,
    hashed: bool = True,
    keep: Kept | None = None,
) -> list[Extracted]:
    """Every file's index entry and facts; ``hashed=False``: no content hash (no cache);
    ``keep``: filled with each file's packed facts too (what the cache stores)."""
    done: list[Extracted] = []
    if jobs <= 1 or len(items) < PARALLEL_THRESHOLD:
        for item in items:
            done.append(_extract(item, hashed, keep))
            if progress is not None:
                progress(offset + len(done), total)
        return done
    # Imported here: a run parsing a few edited files never starts a pool.
    from concurrent.futures import ProcessPoolExecutor, as_completed

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        chunks = _chunks(items, jobs * CHUNKS_PER_JOB)
        futures = [pool.submit(_extract_chunk, chunk, hashed) for chunk in chunks]
        # Unpacked here while the workers go on with the next chunks.
        for future in as_completed(futures):
            done.extend(_unpack_chunk(future.result(), keep))
            if progress is not None:
                progress(offset + len(done), total)
    return done


def in_child(work: Callable[[], bytes]) -> Callable[[], bytes | None]:
    """Start ``work`` in a forked child; the returned function waits for the bytes it made.

    ``fork`` shares the parent's memory as it is (the resolution's indexes) without copying
    or pickling it. The child exits without cleanup (``os._exit``). The waiting function
    returns None, and the caller does the work itself, if the child could not start or
    failed.
    """
    if not hasattr(os, "fork"):
        return lambda: None
    read_fd, write_fd = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        return lambda: None
    if pid == 0:  # the child
        status = 1
        try:
            os.close(read_fd)
            data = work()
            with os.fdopen(write_fd, "wb") as pipe:
                pipe.write(data)
            status = 0
        finally:
            os._exit(status)
    os.close(write_fd)

    def collect() -> bytes | None:
        with os.fdopen(read_fd, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(pid, 0)
        return data if os.waitstatus_to_exitcode(status) == 0 else None

    return collect
