"""The whole run: discover files, extract facts (cached, in parallel), resolve, build.

Usage::

    from analysis import AnalysisOptions, analyze
    result = analyze(Path("monolith"), AnalysisOptions(jobs=2))
    result.graph.aggregate("app").find_cycles()
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.cache import DEFAULT_CACHE_DIRNAME, FactCache, IndexEntry, digest, run_key
from analysis.discover import DEFAULT_MAX_BYTES, SourceFile, discover
from analysis.errors import InvalidRootError
from analysis.facts import FileFacts, Skipped
from analysis.graph.model import DependencyGraph
from analysis.records import AppRecord, UrlPattern

if TYPE_CHECKING:
    from analysis.resolve.state import ResolveState

# The parser, the process pool and the resolver are imported when a run needs them: a run
# over unchanged code needs none of them, and their imports cost a sixth of such a run.
Progress = Callable[[int, int], None]


@dataclass(frozen=True, kw_only=True)
class AnalysisOptions:
    include_tests: bool = False
    include_migrations: bool = False
    jobs: int | None = None  # None: one per CPU
    use_cache: bool = True
    cache_dir: Path | None = None  # None: <root's parent>/.strangler-cache
    max_bytes: int = DEFAULT_MAX_BYTES


@dataclass(frozen=True)
class RunStats:
    files: int
    parsed: int
    from_cache: int
    # Modules whose evidence was resolved: all of them in a full run, the edited ones and
    # their dependents in an incremental one, 0 when a stored result was reused.
    resolved: int = 0


@dataclass(frozen=True)
class AnalysisResult:
    root: str
    graph: DependencyGraph  # symbol granularity
    skipped: tuple[Skipped, ...]
    urls: tuple[UrlPattern, ...]
    apps: tuple[AppRecord, ...]
    models: dict[str, str]
    installed_apps: tuple[str, ...]
    installed_apps_computed: bool
    stats: RunStats = field(default_factory=lambda: RunStats(0, 0, 0))


# --- the run --------------------------------------------------------------------------
def _unchanged(item: SourceFile, entry: IndexEntry | None) -> IndexEntry | None:
    """The cached entry if the file's content is the one it describes (mtime refreshed)."""
    if entry is None or entry.module != item.module:
        return None
    try:
        stat = os.stat(item.path)
    except OSError:
        return None
    if stat.st_size != entry.size:
        return None
    if stat.st_mtime_ns == entry.mtime_ns:
        return entry
    try:
        with open(item.path, "rb") as handle:
            same = digest(handle.read()) == entry.digest
    except OSError:
        return None
    # Touched but unchanged: keep the facts, remember the new mtime.
    return (
        IndexEntry(stat.st_size, stat.st_mtime_ns, entry.digest, entry.module, entry.reason)
        if same
        else None
    )


def analyze(
    root: Path, options: AnalysisOptions | None = None, progress: Progress | None = None
) -> AnalysisResult:
    """Analyse the directory ``root``; raises ``InvalidRootError`` if it is not one."""
    options = options or AnalysisOptions()
    if not root.exists():
        raise InvalidRootError(f"{root} does not exist")
    if not root.is_dir():
        raise InvalidRootError(f"{root} is not a directory")
    # Parsing, resolving and unpickling create millions of acyclic objects: the cyclic
    # collector's passes over them cost 10-40% of a run and free nothing.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _analyze(root.resolve(), options, progress)
    finally:
        if paused:
            gc.enable()


def _analyze(root: Path, options: AnalysisOptions, progress: Progress | None) -> AnalysisResult:
    found = discover(
        root,
        include_tests=options.include_tests,
        include_migrations=options.include_migrations,
        max_bytes=options.max_bytes,
    )
    cache = None
    cached_index: dict[str, IndexEntry] = {}
    result_key = ""
    if options.use_cache:
        cache = FactCache(options.cache_dir or root.parent / DEFAULT_CACHE_DIRNAME, root)
        cached_index, result_key = cache.load_index()
    index: dict[str, IndexEntry] = {}
    to_parse: list[SourceFile] = []
    for item in found.files:
        entry = _unchanged(item, cached_index.get(item.rel))
        if entry is None:
            to_parse.append(item)
        else:
            index[item.rel] = entry
    total = len(found.files)
    stats = RunStats(total, len(to_parse), total - len(to_parse))
    # The stored result fits only the same set of files (each one found in the index).
    same_files = bool(result_key) and len(found.files) == len(cached_index)
    if cache is not None and same_files and not to_parse:
        stored = stored_result(cache, result_key)
        if stored is not None:
            if index != cached_index:  # touched files: store their new mtimes
                cache.save_index(index, result_key)
            return _with_walk(stored, found.skipped, stats)
    if progress is not None:
        progress(len(index), total)
    from analysis.parallel import extract_all

    jobs = options.jobs or os.cpu_count() or 1
    parsed: dict[str, IndexEntry] = {}
    new_facts: dict[str, FileFacts] = {}
    # The cache stores facts packed, as extraction hands them over: kept, not packed again.
    kept: dict[str, Any] | None = None if cache is None else {}
    for rel, entry, file_facts in extract_all(
        to_parse, jobs, progress, len(index), total, hashed=cache is not None, keep=kept
    ):
        parsed[rel] = entry
        if file_facts is not None:
            new_facts[rel] = file_facts
    if cache is not None and kept is not None and same_files and parsed:
        # Edited files whose facts came out equal (a comment, trailing blank lines) leave
        # the whole result as it was: only their hashes are recorded.
        new_packed = {rel: kept[rel] for rel in new_facts}
        stored = None
        if cache.facts_unchanged(cached_index, parsed, new_packed):
            stored = stored_result(cache, result_key)
        if stored is not None:
            index.update(parsed)
            cache.save_index(index, result_key)
            return _with_walk(stored, found.skipped, stats)
        # Facts changed: re-resolve only what the edited files affect, when that is safe.
        everything = {**index, **parsed}
        patched = _incremental(cache, result_key, everything, parsed, new_facts, new_packed)
        if patched is not None:
            stats = replace(stats, resolved=patched.stats.resolved)
            return _with_walk(patched, found.skipped, stats)
    facts: dict[str, FileFacts] = {}
    stored_facts: dict[str, Any] = {}
    if cache is not None and index:
        from analysis.extract.packed import unpack

        stored_facts = cache.load_packed()
        by_rel = {item.rel: item for item in found.files}
        lost = []
        for rel, entry in index.items():
            if entry.reason:
                continue
            if rel in stored_facts:
                facts[rel] = unpack(stored_facts[rel])
            else:
                lost.append(by_rel[rel])  # facts lost: parse again
        for item in lost:
            del index[item.rel]
        for rel, entry, file_facts in extract_all(lost, jobs, None, 0, total, keep=kept):
            parsed[rel] = entry
            if file_facts is not None:
                new_facts[rel] = file_facts
        to_parse.extend(lost)
    index.update(parsed)
    facts.update(new_facts)
    stats = RunStats(total, len(to_parse), total - len(to_parse))
    result, state = _build(found.root_name, found.files, index, facts, found.skipped, stats, jobs)
    if cache is not None:
        # Shards of files that vanished are rewritten too, so they leave the cache.
        gone = set(cached_index) - set(index)
        changed = None if not cached_index else [item.rel for item in to_parse] + sorted(gone)
        key = run_key(index)
        from analysis.incremental import store_state

        cache.drop_journal()
        cache.save_result(key, result)
        store_state(cache, key, state)
        rows = {**stored_facts, **(kept or {})}
        cache.save(index, {rel: rows[rel] for rel in facts}, changed, key)
    return result


def stored_result(cache: FactCache, key: str) -> AnalysisResult | None:
    """The result of the last run if it is ``key``'s: the base, patched by the journal."""
    base_key, stored = cache.load_result()
    if not isinstance(stored, AnalysisResult):
        return None
    if base_key == key:
        return stored
    from analysis.incremental import current_graph

    return stored if current_graph(cache, base_key, key, stored.graph) else None


def _incremental(
    cache: FactCache,
    result_key: str,
    index: dict[str, IndexEntry],
    parsed: dict[str, IndexEntry],
    new_facts: dict[str, FileFacts],
    new_packed: dict[str, object],
) -> AnalysisResult | None:
    """The stored result patched for edited files, or None when a full run is needed."""
    if any(entry.reason for entry in parsed.values()):
        return None
    from analysis.incremental import load_facts, store_state, update_stored

    old_facts = load_facts(cache, parsed)
    base_key, stored = cache.load_result()
    if not isinstance(stored, AnalysisResult) or not all(rel in old_facts for rel in parsed):
        return None

    old = {entry.module: old_facts[rel] for rel, entry in parsed.items()}
    new = {entry.module: new_facts[rel] for rel, entry in parsed.items()}
    files = {entry.module: rel for rel, entry in parsed.items()}
    if len(files) != len(parsed):
        return None
    key = run_key(index)

    def rebase(new_key: str, state: ResolveState) -> None:
        cache.drop_journal()
        cache.save_result(new_key, stored)
        store_state(cache, new_key, state)

    try:
        outcome = update_stored(
            cache, base_key, stored.graph, (result_key, key), files, old, new, rebase
        )
    except (KeyError, ValueError):
        return None  # the stored evidence did not match: resolve everything again
    if outcome is None:
        return None
    cache.save_edited(index, new_packed, key)
    return replace(stored, stats=replace(stored.stats, resolved=outcome.modules))


def _with_walk(
    stored: AnalysisResult, walk_skipped: tuple[Skipped, ...], stats: RunStats
) -> AnalysisResult:
    """A stored result with this run's counts (and walk warnings, e.g. a new symlink loop)."""
    skipped = {(s.file, s.reason): s for s in stored.skipped}
    for item in walk_skipped:
        skipped.setdefault((item.file, item.reason), item)
    return replace(
        stored,
        skipped=tuple(sorted(skipped.values(), key=lambda s: (s.file, s.reason))),
        stats=stats,
    )


def _build(
    root_name: str,
    files: tuple[SourceFile, ...],
    index: dict[str, IndexEntry],
    file_facts: dict[str, FileFacts],
    walk_skipped: tuple[Skipped, ...],
    stats: RunStats,
    jobs: int = 1,
) -> tuple[AnalysisResult, ResolveState]:
    facts: dict[str, FileFacts] = {}
    module_files: dict[str, str] = {}
    skipped = list(walk_skipped)
    for item in files:
        entry = index[item.rel]
        if entry.reason:
            skipped.append(Skipped(item.rel, entry.reason))
        elif item.module not in facts:
            facts[item.module] = file_facts[item.rel]
            module_files[item.module] = item.rel
        else:
            skipped.append(Skipped(item.rel, f"duplicate module name {item.module}"))
    from analysis.parallel import in_child
    from analysis.resolve import resolve_facts

    resolution = resolve_facts(facts, module_files, root_name, in_child if jobs > 1 else None)
    graph = DependencyGraph.from_records(resolution.nodes, resolution.edges, root=root_name)
    result = AnalysisResult(
        root=root_name,
        graph=graph,
        skipped=tuple(sorted(skipped, key=lambda s: (s.file, s.reason))),
        urls=resolution.urls,
        apps=resolution.apps,
        models=resolution.models,
        installed_apps=resolution.installed_apps,
        installed_apps_computed=resolution.installed_apps_computed,
        stats=replace(stats, resolved=len(facts)),
    )
    return result, resolution.state
