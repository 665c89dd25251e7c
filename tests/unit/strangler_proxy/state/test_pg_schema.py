"""The PostgreSQL connection under the stores: schema races, reconnects, closing."""

import subprocess
import sys
import time

import psycopg
import pytest

from strangler_proxy.pg_schema import PgConnection, display_url
from strangler_proxy.state_factory import open_state


def test_many_processes_creating_the_schema_at_once_all_succeed(postgres_url):
    script = ("import sys; from strangler_proxy.state_factory import open_state; "
              "open_state(sys.argv[1]).close()")
    procs = [subprocess.Popen([sys.executable, "-c", script, postgres_url],
                              stderr=subprocess.PIPE, text=True) for _ in range(3)]
    errors = [p.communicate(timeout=60)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 3, errors
    with psycopg.connect(postgres_url) as conn:
        tables = {r[0] for r in conn.execute("SELECT table_name FROM information_schema.tables "
                                             "WHERE table_schema = current_schema()")}
        assert conn.execute("SELECT id, version FROM state_version").fetchall() == [(1, 0)]
    assert tables == {"diff_counters", "diff_examples", "diff_paths", "latency_buckets",
                      "route_stages", "route_stats", "stage_audit", "state_version"}


def kill_connections(url, name):
    """Cut every connection named ``name`` (what a server restart or a network cut does)."""
    with psycopg.connect(url, autocommit=True) as admin:
        killed = admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                               "WHERE application_name = %s", (name,)).fetchone()[0]
        # pg_terminate_backend only signals: wait until the backends are really gone
        for _ in range(500):
            left = admin.execute("SELECT count(*) FROM pg_stat_activity "
                                 "WHERE application_name = %s", (name,)).fetchone()[0]
            if not left:
                break
            time.sleep(0.01)
    return killed


def test_a_dropped_connection_is_reopened_on_the_next_call(postgres_url):
    state = open_state(postgres_url + "&application_name=proxy-a")
    state.stages.set_stage("r", "shadow", actor="a", reason="x")
    # 1: the three stores of a process share one connection
    assert kill_connections(postgres_url, "proxy-a") == 1
    with pytest.raises(psycopg.OperationalError):
        state.stages.version()  # this call is lost: the caller counts it as a failed read
    assert state.stages.version() == 1  # and the next one works again
    state.close()


def test_the_first_write_after_a_cut_fails_and_the_next_lands(postgres_url):
    state = open_state(postgres_url + "&application_name=proxy-b")
    assert kill_connections(postgres_url, "proxy-b") == 1
    with pytest.raises(psycopg.OperationalError):
        state.diffs.record_drops("r", overload=1)
    state.diffs.record_drops("r", overload=2)
    assert state.diffs.summary("r")[0].dropped_overload == 2
    state.close()


def test_stores_share_one_connection_until_the_last_closes(postgres_url):
    state = open_state(postgres_url)
    state.diffs.close()
    state.diffs.close()  # twice is harmless and releases nothing more
    state.stats.close()
    assert state.stages.version() == 0  # still open: the stage store holds the last share
    with pytest.raises(psycopg.InterfaceError, match="closed"):
        state.diffs.summary()  # a closed store stays closed
    state.stages.close()
    with pytest.raises(psycopg.InterfaceError, match="closed"):
        state.stages.version()
    db = PgConnection(postgres_url)
    db.close()
    with pytest.raises(psycopg.InterfaceError, match="closed"):
        PgConnection.share(db)


def test_display_url_hides_only_the_password():
    assert display_url("postgresql://ann:s3cret@db.internal:5433/state?sslmode=require") == (
        "postgresql://ann:***@db.internal:5433/state?sslmode=require")
    assert display_url("postgres://ann@db/state") == "postgres://ann@db/state"
    assert display_url("postgresql://:pw@db/state") == "postgresql://:***@db/state"
    assert display_url("postgresql://ann:p%40ss@[::1]:5432/s") == "postgresql://ann:***@[::1]:5432/s"
    assert display_url("postgresql://ann:pw@h1:5432,h2:5433/s?target_session_attrs=read-write"
                       ) == "postgresql://ann:***@h1:5432,h2:5433/s?target_session_attrs=read-write"
    assert display_url("postgresql://h/s?user=ann&password=pw&sslmode=require") == (
        "postgresql://h/s?user=ann&password=***&sslmode=require")


def test_a_stage_change_wakes_a_listening_worker(postgres_url):
    import threading

    from strangler_proxy.pg_stage_store import PostgresStageStore

    worker = PostgresStageStore(postgres_url)
    assert worker.wait_for_change(0.05) is False  # nothing announced: a plain timeout
    woken: list[bool] = []
    waiting = threading.Thread(target=lambda: woken.append(worker.wait_for_change(30)))
    waiting.start()
    script = ("import sys; from strangler_proxy.state_factory import open_state; "
              "open_state(sys.argv[1]).stages.set_stage('r', 'shadow', actor='a', reason='x')")
    subprocess.run([sys.executable, "-c", script, postgres_url], check=True, timeout=60)
    waiting.join(60)
    assert woken == [True] and worker.version() == 1
    worker.close()


def test_listening_falls_back_to_polling_when_the_connection_breaks(postgres_url):
    from strangler_proxy.pg_stage_store import PostgresStageStore

    worker = PostgresStageStore(postgres_url + "&application_name=listener-c")
    assert worker.wait_for_change(0.01) is False
    assert kill_connections(postgres_url, "listener-c") == 2  # the store's and the listener's
    assert worker.wait_for_change(0.01) is False  # the broken listener is dropped, no raise
    with pytest.raises(psycopg.OperationalError):
        worker.version()  # the store's own connection was cut too: this read is lost
    assert worker.wait_for_change(0.01) is False  # listening again from here on
    worker.set_stage("r", "shadow", actor="a", reason="x")  # the store reconnected
    assert worker.wait_for_change(30) is True  # and its own change is announced
    worker.close()
