"""A real, throwaway PostgreSQL server for tests: initdb in a temp dir, loopback only.

::

    from tests.support.postgres import postgres_server, postgres_url   # pytest fixtures

    def test_x(postgres_url):          # a fresh, empty schema on a per-session server
        open_state(postgres_url)

    with running_postgres() as server:  # outside pytest (benchmarks, scripts)
        url = server.create_database("bench")

The server runs from the Debian binaries (``/usr/lib/postgresql/<version>/bin``, newest
first): ``initdb`` with locale C, UTF-8 and trust auth (it listens on 127.0.0.1 and a unix
socket inside the temp dir only), ``pg_ctl start`` on a free port, fsync off (throwaway
data). PostgreSQL refuses to run as root, so under root (CI) the server runs as the
``postgres`` user (``nobody`` if there is none) through ``runuser``, on a temp dir it owns.
Tests skip, saying why, only when the binaries are not installed.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

__all__ = ["PG_BIN", "PostgresServer", "postgres_server", "postgres_url", "running_postgres"]

SUPERUSER = "strangler"
START_TIMEOUT_S = 30


def _find_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit()
                   else 0)
    return found[-1].parent if found else None


PG_BIN = _find_bin()


@dataclass
class PostgresServer:
    root: Path
    port: int
    run_as: str | None
    _names: Iterator[int]
    _tests_db: bool = False

    @property
    def admin_url(self) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/postgres"

    def url(self, dbname: str) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, prefix: str = "test") -> str:
        """A new empty database; returns its URL."""
        import psycopg

        name = f"{prefix}_{next(self._names)}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def create_schema(self, prefix: str = "test") -> str:
        """A new empty schema in the shared ``tests`` database; its URL selects it.

        Much cheaper than a database per test (no 7 MB template copy): the URL sets
        ``search_path``, as a deployment sharing one database between apps would.
        """
        import psycopg

        if not self._tests_db:
            with psycopg.connect(self.admin_url, autocommit=True) as conn:
                conn.execute('CREATE DATABASE "tests"')
            self._tests_db = True
        name = f"{prefix}_{next(self._names)}"
        with psycopg.connect(self.url("tests"), autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{name}"')
        return f"{self.url('tests')}?options=-csearch_path%3D{name}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run_as() -> str | None:
    if os.geteuid() != 0:
        return None
    for user in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(user)
            return user
    raise RuntimeError("running as root and neither a 'postgres' nor a 'nobody' user exists: "
                       "PostgreSQL refuses to run as root")


def _pg(root: Path, run_as: str | None, *args: str) -> subprocess.CompletedProcess[str]:
    assert PG_BIN is not None
    command = [str(PG_BIN / args[0]), *args[1:]]
    if run_as is not None:
        command = ["runuser", "-u", run_as, "--", *command]
    # cwd inside the temp dir: the unprivileged user may not be able to read ours
    return subprocess.run(command, cwd=root, capture_output=True, text=True,
                          timeout=START_TIMEOUT_S * 2, check=False)


def _checked(result: subprocess.CompletedProcess[str], what: str, log: Path | None) -> None:
    if result.returncode != 0:
        tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
        raise RuntimeError(f"{what} failed ({result.returncode}): {result.stderr.strip()}\n"
                           f"{result.stdout.strip()}\n{tail}")


@contextlib.contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    """Start a throwaway server; stop it and delete its files on exit."""
    if PG_BIN is None:
        raise RuntimeError("PostgreSQL server binaries not found under /usr/lib/postgresql")
    run_as = _run_as()
    root = Path(tempfile.mkdtemp(prefix="strangler-pg-"))  # short: unix socket paths are
    data, log = root / "data", root / "server.log"         # limited to 107 bytes
    if run_as is not None:
        entry = pwd.getpwnam(run_as)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    started = False
    try:
        _checked(_pg(root, run_as, "initdb", "-D", str(data), "-U", SUPERUSER, "-A", "trust",
                     "--locale=C", "-E", "UTF8", "--no-sync"), "initdb", None)
        for _attempt in range(3):  # a port found free can be taken before the server binds
            port = _free_port()
            options = (f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
                       "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60")
            result = _pg(root, run_as, "pg_ctl", "-D", str(data), "-l", str(log), "-w",
                         "-t", str(START_TIMEOUT_S), "-o", options, "start")
            if result.returncode == 0:
                started = True
                break
        _checked(result, "pg_ctl start", log)
        yield PostgresServer(root=root, port=port, run_as=run_as, _names=itertools.count(1))
    finally:
        if started:
            _pg(root, run_as, "pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One server per test session (per xdist worker)."""
    if PG_BIN is None:
        pytest.skip("PostgreSQL server binaries not installed (Debian package 'postgresql'; "
                    ".ci/run installs it)")
    with running_postgres() as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """A fresh empty schema for one test (its URL selects it)."""
    return postgres_server.create_schema()
