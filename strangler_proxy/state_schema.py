"""The SQLite state file shared by every worker: connection settings and tables.

One file holds diff results (``diff_*``, ``latency_buckets``) and stage overrides
(``route_stages``, ``stage_audit``, ``state_version``). Several processes use it at once:
WAL mode lets readers run beside the one writer, a busy timeout makes a writer wait
instead of failing, and every write is one short ``BEGIN IMMEDIATE`` transaction.
The SQL stays plain (``INSERT ... ON CONFLICT ... DO UPDATE``, no SQLite-only functions
in queries) so a PostgreSQL store can reuse it; only the DDL differs.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BUSY_TIMEOUT_MS = 5_000
SCHEMA_VERSION = 1

SCHEMA: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS diff_counters (
        route TEXT PRIMARY KEY,
        compared INTEGER NOT NULL DEFAULT 0,
        matched INTEGER NOT NULL DEFAULT 0,
        mismatched INTEGER NOT NULL DEFAULT 0,
        dropped_overload INTEGER NOT NULL DEFAULT 0,
        dropped_too_large INTEGER NOT NULL DEFAULT 0,
        candidate_requests INTEGER NOT NULL DEFAULT 0,
        candidate_errors INTEGER NOT NULL DEFAULT 0,
        updated_at REAL NOT NULL DEFAULT 0)""",
    """CREATE TABLE IF NOT EXISTS diff_paths (
        route TEXT NOT NULL, path TEXT NOT NULL, count INTEGER NOT NULL,
        PRIMARY KEY (route, path))""",
    """CREATE TABLE IF NOT EXISTS latency_buckets (
        route TEXT NOT NULL, side TEXT NOT NULL, bucket INTEGER NOT NULL,
        count INTEGER NOT NULL, PRIMARY KEY (route, side, bucket))""",
    """CREATE TABLE IF NOT EXISTS diff_examples (
        id INTEGER PRIMARY KEY, route TEXT NOT NULL, created_at REAL NOT NULL,
        signature TEXT NOT NULL, payload TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS diff_examples_route ON diff_examples (route, id)",
    """CREATE TABLE IF NOT EXISTS route_stages (
        route TEXT PRIMARY KEY, stage TEXT NOT NULL, percent INTEGER NOT NULL,
        reverse_shadow INTEGER NOT NULL, updated_at REAL NOT NULL, actor TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS stage_audit (
        id INTEGER PRIMARY KEY, route TEXT NOT NULL, at REAL NOT NULL, actor TEXT NOT NULL,
        from_stage TEXT, from_percent INTEGER, to_stage TEXT NOT NULL,
        to_percent INTEGER NOT NULL, reason TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS state_version (
        id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)""",
    "INSERT INTO state_version (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING",
)


def sqlite_path(store_url: str) -> Path:
    """``sqlite:///state.db`` (relative) or ``sqlite:////abs/state.db`` to a path.

    A bare path is accepted too. ``ValueError`` for other schemes (PostgreSQL is a
    separate store).
    """
    if store_url.startswith("sqlite:///"):
        rest = store_url[len("sqlite:///"):]
        if not rest:
            raise ValueError("sqlite store URL has no file path: use sqlite:///state.db")
        return Path(rest)
    if "://" in store_url:
        raise ValueError(f"not a SQLite store URL: {store_url!r} (use sqlite:///FILE)")
    return Path(store_url)


def connect(path: str | Path) -> sqlite3.Connection:
    """Open (creating if needed) the state file with WAL and a busy timeout; schema ensured."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                           check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")  # WAL keeps this crash-safe for the file
    with transaction(conn) as cur:
        for statement in SCHEMA:
            cur.execute(statement)
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Cursor]:
    """One short write transaction; the write lock is taken up front (no upgrade deadlock)."""
    cur = conn.cursor()
    cur.execute("BEGIN IMMEDIATE")
    try:
        yield cur
    except BaseException:
        cur.execute("ROLLBACK")
        raise
    else:
        cur.execute("COMMIT")
    finally:
        cur.close()
