from pathlib import Path

import pytest

from strangler_proxy.state_schema import connect, sqlite_path, transaction


def test_store_urls():
    assert sqlite_path("sqlite:///strangler-state.db") == Path("strangler-state.db")
    assert sqlite_path("sqlite:////var/lib/s.db") == Path("/var/lib/s.db")
    assert sqlite_path("state.db") == Path("state.db")
    with pytest.raises(ValueError, match="not a SQLite store URL"):
        sqlite_path("postgresql://db/strangler")
    with pytest.raises(ValueError, match="no file path"):
        sqlite_path("sqlite:///")


def test_connect_is_idempotent_and_uses_wal(tmp_path):
    first = connect(tmp_path / "s.db")
    second = connect(tmp_path / "s.db")  # schema creation twice is harmless
    assert first.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert second.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
    assert second.execute("SELECT version FROM state_version").fetchall() == [(0,)]


def test_transaction_rolls_back_on_error(tmp_path):
    conn = connect(tmp_path / "s.db")
    with pytest.raises(RuntimeError), transaction(conn) as cur:
        cur.execute("UPDATE state_version SET version = 9")
        raise RuntimeError("boom")
    assert conn.execute("SELECT version FROM state_version").fetchone() == (0,)
