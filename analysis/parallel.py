"""Extraction of many files: in-process for a few, in a process pool for many.

Workers read, hash and parse their files themselves (nothing but paths crosses over), and
chunks are balanced by file size so both cores finish together.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from analysis.cache import IndexEntry, digest
from analysis.discover import SourceFile
from analysis.extract import UnreadableSource, extract_source
from analysis.facts import FileFacts

Progress = Callable[[int, int], None]
# Below this many files to parse, worker start-up costs more than it saves.
PARALLEL_THRESHOLD = 48

# --- extraction of one file (runs in worker processes) --------------------------------
Extracted = tuple[str, IndexEntry, FileFacts | None]


def _extract(item: SourceFile) -> Extracted:
    try:
        stat = os.stat(item.path)
        with open(item.path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        reason = f"unreadable: {error.strerror or error}"
        return item.rel, IndexEntry(0, 0, "", item.module, reason), None
    key = digest(data)
    try:
        facts = extract_source(data, item.module, is_package=item.is_package)
    except UnreadableSource as error:
        entry = IndexEntry(stat.st_size, stat.st_mtime_ns, key, item.module, error.reason)
        return item.rel, entry, None
    return item.rel, IndexEntry(stat.st_size, stat.st_mtime_ns, key, item.module), facts


def _extract_chunk(items: list[SourceFile]) -> list[Extracted]:
    return [_extract(item) for item in items]


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
    items: list[SourceFile], jobs: int, progress: Progress | None, offset: int, total: int
) -> list[Extracted]:
    done: list[Extracted] = []
    if jobs <= 1 or len(items) < PARALLEL_THRESHOLD:
        for item in items:
            done.append(_extract(item))
            if progress is not None:
                progress(offset + len(done), total)
        return done
    # Imported here: a run parsing a few edited files never starts a pool.
    from concurrent.futures import ProcessPoolExecutor, as_completed

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(_extract_chunk, c) for c in _chunks(items, jobs * 4)]
        for future in as_completed(futures):
            done.extend(future.result())
            if progress is not None:
                progress(offset + len(done), total)
    return done
