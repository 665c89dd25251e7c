"""Open the proxy's shared state (diffs, stages, route figures) from the ``[state] store`` URL.

::

    state = open_state("sqlite:///strangler-state.db", base_dir=routes_file.parent,
                       redact=rules, max_examples=20)
    state.diffs.record_drops("catalog", overload=1)
    StagePoller(state.stages)
    state.stats.read()
    diffs, stages = state          # a pair too
    state.close()

Accepted URLs:

- ``sqlite:///state.db`` (relative to ``base_dir``, the routes file's directory) or
  ``sqlite:////abs/state.db``: one file, for every worker of the proxies on ONE host;
- ``postgresql://user:pass@host:5432/db`` (or ``postgres://``; any libpq URI, query
  parameters included): one database for proxies on several hosts (needs psycopg:
  ``pip install 'strangler[postgres]'``). The three stores of a process share one
  connection.

Anything else is a ``ValueError`` naming these forms. A store that cannot be opened (the
server is down, the directory is missing, no right to create tables) is a
:class:`~strangler_proxy.errors.ConfigError` whose message names the URL, password hidden.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from strangler_proxy.diffstore import DiffStore, SqliteDiffStore
from strangler_proxy.errors import ConfigError
from strangler_proxy.route_stats import RouteStatsStore, SqliteRouteStats
from strangler_proxy.stage_store import SqliteStageStore, StageStore
from strangler_proxy.state_schema import sqlite_path

__all__ = ["ACCEPTED_FORMS", "DIFF_OPTIONS", "StageStore", "StateStores", "open_state"]

ACCEPTED_FORMS = ("sqlite:///relative/state.db", "sqlite:////absolute/state.db",
                  "postgresql://user:password@host:5432/dbname", "postgres://...")
DIFF_OPTIONS = frozenset({"redact", "max_examples", "max_example_bytes", "max_paths"})
SHARED_OPTIONS = frozenset({"clock"})
_PG_SCHEMES = ("postgresql://", "postgres://")


@dataclass(frozen=True, slots=True)
class StateStores:
    """The stores behind one ``[state] store`` URL; ``kind`` is sqlite or postgresql."""

    url: str  # for display: a PostgreSQL password is replaced by ***
    kind: str
    diffs: DiffStore
    stages: StageStore
    stats: RouteStatsStore  # live request figures per route, summed over every worker

    def __iter__(self) -> Iterator[Any]:
        """``diffs, stages = open_state(url)`` works too."""
        return iter((self.diffs, self.stages))

    def close(self) -> None:
        self.diffs.close()
        self.stages.close()
        self.stats.close()


def open_state(url: str, *, base_dir: Path | None = None, **options: Any) -> StateStores:
    """Open the stores for ``url``; schema created on first use (idempotent).

    ``options`` go to the stores: ``redact``, ``max_examples``, ``max_example_bytes``,
    ``max_paths`` to the diff store, ``clock`` to both. An unknown option is a ``TypeError``.
    """
    unknown = sorted(set(options) - DIFF_OPTIONS - SHARED_OPTIONS)
    if unknown:
        raise TypeError(f"open_state() got unknown option(s) {', '.join(unknown)}; "
                        f"accepted: {', '.join(sorted(DIFF_OPTIONS | SHARED_OPTIONS))}")
    diff_options = {k: v for k, v in options.items() if k in DIFF_OPTIONS | SHARED_OPTIONS}
    stage_options = {k: v for k, v in options.items() if k in SHARED_OPTIONS}
    text = url.strip()
    if text.startswith("sqlite:///"):
        return _open_sqlite(text, base_dir, diff_options, stage_options)
    if text.startswith(_PG_SCHEMES):
        return _open_postgres(text, diff_options, stage_options)
    raise ValueError(f"unsupported [state] store URL {_without_password(text)!r}: use one of "
                     f"{', '.join(ACCEPTED_FORMS)}")


def _open_sqlite(url: str, base_dir: Path | None, diff_options: Mapping[str, Any],
                 stage_options: Mapping[str, Any]) -> StateStores:
    path = sqlite_path(url)
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    opened: list[Any] = []
    try:
        opened.append(SqliteDiffStore(path, **diff_options))
        opened.append(SqliteStageStore(path, **stage_options))
        opened.append(SqliteRouteStats(path))
    except sqlite3.Error as exc:
        for store in opened:
            store.close()
        raise ConfigError(f"cannot open the state store {url} ({path}): {exc}") from exc
    diffs, stages, stats = opened
    return StateStores(url=url, kind="sqlite", diffs=diffs, stages=stages, stats=stats)


def _open_postgres(url: str, diff_options: Mapping[str, Any],
                   stage_options: Mapping[str, Any]) -> StateStores:
    try:
        import psycopg
    except ImportError as exc:
        raise ConfigError("a PostgreSQL [state] store needs psycopg: "
                          "pip install 'strangler[postgres]'") from exc
    from psycopg.conninfo import conninfo_to_dict

    from strangler_proxy.pg_diffstore import PostgresDiffStore
    from strangler_proxy.pg_route_stats import PostgresRouteStats
    from strangler_proxy.pg_schema import PgConnection, display_url
    from strangler_proxy.pg_stage_store import PostgresStageStore

    shown = display_url(url)
    try:
        conninfo_to_dict(url)
    except psycopg.Error as exc:
        raise ValueError(f"malformed PostgreSQL store URL {shown!r}: {_reason(exc, url)}; "
                         "use postgresql://user:password@host:5432/dbname") from None
    try:
        db = PgConnection(url)
    except psycopg.Error as exc:
        raise ConfigError(f"cannot open the state store {shown}: {_reason(exc, url)}") from None
    try:
        diffs = PostgresDiffStore(db, **diff_options)
        stages = PostgresStageStore(db, **stage_options)
        stats = PostgresRouteStats(db)
    finally:
        db.close()  # the stores hold their own shares of it now
    return StateStores(url=shown, kind="postgresql", diffs=diffs, stages=stages, stats=stats)


def _without_password(url: str) -> str:
    # pg_schema.display_url needs psycopg; an unknown scheme may have a password too
    scheme, sep, rest = url.partition("://")
    userinfo, at, hosts = rest.partition("/")[0].rpartition("@")
    if not (sep and at and ":" in userinfo):
        return url
    return f"{scheme}://{userinfo.split(':', 1)[0]}:***@{rest[len(userinfo) + 1:]}"


def _reason(exc: Exception, url: str) -> str:
    # libpq messages can quote the conninfo; never let a password through
    from strangler_proxy.pg_schema import display_url

    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text.replace(url, display_url(url))
