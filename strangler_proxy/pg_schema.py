"""The PostgreSQL state shared by proxies on several hosts: tables and one guarded connection.

The tables mirror the SQLite state file (:mod:`strangler_proxy.state_schema`, plus the
``route_stats`` of :mod:`strangler_proxy.route_stats`) name for name, so both backends
read the same way and one doc covers them; only the types differ (``BIGINT`` counters,
identity ids, ``JSONB`` examples, ``BOOLEAN`` flags). The stores of a process share one
:class:`PgConnection`: autocommit, a lock so the proxy's threads take turns, and each
write one short explicit transaction. A connection that broke (server restart, network
cut) is reopened on the next use; the failing call itself raises, and the proxy already
treats a store error as a lost sample or a skipped poll.

psycopg is imported only by the ``pg_*`` modules: SQLite users do not need it
(``pip install 'strangler[postgres]'``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg.conninfo import conninfo_to_dict

CONNECT_TIMEOUT_S = 5
DEFAULT_APPLICATION_NAME = "strangler-proxy"  # how the connections show in pg_stat_activity
# Any fixed number: it only has to be the same in every process creating the schema.
SCHEMA_LOCK_KEY = 0x5354524E  # "STRN"
_PASSWORD_PARAM = re.compile(r"((?:^|&)password=)[^&]*")

SCHEMA: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS diff_counters (
        route TEXT PRIMARY KEY,
        compared BIGINT NOT NULL DEFAULT 0,
        matched BIGINT NOT NULL DEFAULT 0,
        mismatched BIGINT NOT NULL DEFAULT 0,
        dropped_overload BIGINT NOT NULL DEFAULT 0,
        dropped_too_large BIGINT NOT NULL DEFAULT 0,
        candidate_requests BIGINT NOT NULL DEFAULT 0,
        candidate_errors BIGINT NOT NULL DEFAULT 0,
        updated_at DOUBLE PRECISION NOT NULL DEFAULT 0)""",
    """CREATE TABLE IF NOT EXISTS diff_paths (
        route TEXT NOT NULL, path TEXT NOT NULL, count BIGINT NOT NULL,
        PRIMARY KEY (route, path))""",
    """CREATE TABLE IF NOT EXISTS latency_buckets (
        route TEXT NOT NULL, side TEXT NOT NULL, bucket INTEGER NOT NULL,
        count BIGINT NOT NULL, PRIMARY KEY (route, side, bucket))""",
    """CREATE TABLE IF NOT EXISTS diff_examples (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, route TEXT NOT NULL,
        created_at DOUBLE PRECISION NOT NULL, signature TEXT NOT NULL, payload JSONB NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS diff_examples_route ON diff_examples (route, id)",
    """CREATE TABLE IF NOT EXISTS route_stages (
        route TEXT PRIMARY KEY, stage TEXT NOT NULL, percent INTEGER NOT NULL,
        reverse_shadow BOOLEAN NOT NULL, updated_at DOUBLE PRECISION NOT NULL,
        actor TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS stage_audit (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, route TEXT NOT NULL,
        at DOUBLE PRECISION NOT NULL, actor TEXT NOT NULL, from_stage TEXT,
        from_percent INTEGER, to_stage TEXT NOT NULL, to_percent INTEGER NOT NULL,
        reason TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS stage_audit_route ON stage_audit (route, id)",
    """CREATE TABLE IF NOT EXISTS route_stats (
        route TEXT PRIMARY KEY, requests BIGINT NOT NULL DEFAULT 0,
        service_requests BIGINT NOT NULL DEFAULT 0, monolith_errors BIGINT NOT NULL DEFAULT 0,
        service_errors BIGINT NOT NULL DEFAULT 0)""",
    """CREATE TABLE IF NOT EXISTS state_version (
        id INTEGER PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL)""",
    "INSERT INTO state_version (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING",
)


def display_url(url: str) -> str:
    """The URL with its password (in the user part or ``?password=``) replaced by ``***``."""
    parts = urlsplit(url)
    netloc = parts.netloc
    userinfo, at, hosts = netloc.rpartition("@")
    if at and ":" in userinfo:  # hosts kept as written: libpq allows h1:5432,h2:5432
        netloc = f"{userinfo.split(':', 1)[0]}:***@{hosts}"
    query = _PASSWORD_PARAM.sub(r"\1***", parts.query)
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def open_connection(url: str, *, connect_timeout: int = CONNECT_TIMEOUT_S) -> psycopg.Connection:
    """An autocommit connection; the URL's own settings win over ours."""
    given = conninfo_to_dict(url)
    # a host may name itself (?application_name=proxy-a) or wait longer (?connect_timeout=)
    defaults: dict[str, Any] = {"connect_timeout": connect_timeout,
                                "application_name": DEFAULT_APPLICATION_NAME}
    return psycopg.connect(url, autocommit=True,
                           **{k: v for k, v in defaults.items() if k not in given})


def ensure_schema(conn: psycopg.Connection) -> None:
    """Create the tables if missing; safe when several processes start at once.

    Concurrent ``CREATE TABLE IF NOT EXISTS`` can still collide inside PostgreSQL's
    catalog (a unique violation on ``pg_type``), so creation is serialised by an
    advisory lock held for the transaction.
    """
    with conn.transaction(), conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK_KEY,))
        for statement in SCHEMA:
            cur.execute(statement)


class PgConnection:
    """One autocommit connection shared by a store's threads, reopened when it broke.

    The stores of one process share one (``open_state`` hands the same connection to all
    three), so a proxy costs the database one connection per worker; each store's
    ``close`` releases its share and the last one closes the connection.
    """

    def __init__(self, url: str, *, connect_timeout: int = CONNECT_TIMEOUT_S) -> None:
        self._url = url
        self._connect_timeout = connect_timeout
        self._lock = threading.Lock()
        self._users = 1
        self._conn: psycopg.Connection | None = self._open()

    @property
    def url(self) -> str:
        return self._url

    @classmethod
    def share(cls, target: str | PgConnection) -> PgShare:
        """A store's handle: on a new connection for a URL, or on a given one."""
        if isinstance(target, str):
            return PgShare(cls(target))
        with target._lock:
            if target._users == 0:
                raise psycopg.InterfaceError("the state store was closed")
            target._users += 1
        return PgShare(target)

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Cursor]:
        """One short transaction: committed on exit, rolled back on any exception."""
        with self._lock:
            conn = self._live()
            with conn.transaction(), conn.cursor() as cur:
                yield cur

    @contextmanager
    def cursor(self) -> Iterator[psycopg.Cursor]:
        """For reads: each statement is its own (autocommit) transaction."""
        with self._lock, self._live().cursor() as cur:
            yield cur

    def close(self) -> None:
        """Release one share; the last one closes the connection (twice is harmless)."""
        with self._lock:
            self._users = max(self._users - 1, 0)
            if self._users == 0 and self._conn is not None:
                self._conn.close()
                self._conn = None

    def _open(self) -> psycopg.Connection:
        conn = open_connection(self._url, connect_timeout=self._connect_timeout)
        try:
            ensure_schema(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def _live(self) -> psycopg.Connection:
        if self._users == 0:
            raise psycopg.InterfaceError("the state store was closed")
        if self._conn is None or self._conn.closed or self._conn.broken:
            if self._conn is not None:
                self._conn.close()
            self._conn = None
            self._conn = self._open()
        return self._conn


class PgShare:
    """One store's use of a (possibly shared) connection; closing it twice is harmless."""

    def __init__(self, db: PgConnection) -> None:
        self._db: PgConnection | None = db

    def transaction(self) -> AbstractContextManager[psycopg.Cursor]:
        return self._open().transaction()

    def cursor(self) -> AbstractContextManager[psycopg.Cursor]:
        return self._open().cursor()

    def close(self) -> None:
        db, self._db = self._db, None
        if db is not None:
            db.close()

    def _open(self) -> PgConnection:
        if self._db is None:
            raise psycopg.InterfaceError("the state store was closed")
        return self._db
