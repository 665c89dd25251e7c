"""``open_state``: which store a ``[state] store`` URL opens, and the errors it gives."""

import socket

import pytest

from strangler_proxy.diffstore import SqliteDiffStore
from strangler_proxy.errors import ConfigError
from strangler_proxy.pg_diffstore import PostgresDiffStore
from strangler_proxy.pg_stage_store import PostgresStageStore
from strangler_proxy.stage_store import SqliteStageStore
from strangler_proxy.state_factory import StateStores, open_state


def test_relative_sqlite_paths_resolve_against_the_routes_file_directory(tmp_path):
    (tmp_path / "var").mkdir()
    state = open_state("sqlite:///var/state.db", base_dir=tmp_path)
    assert isinstance(state, StateStores) and state.kind == "sqlite"
    assert isinstance(state.diffs, SqliteDiffStore)
    assert isinstance(state.stages, SqliteStageStore)
    state.stages.set_stage("r", "shadow", actor="a", reason="x")
    state.close()
    assert (tmp_path / "var" / "state.db").is_file()


def test_absolute_sqlite_paths_ignore_base_dir(tmp_path):
    other = tmp_path / "elsewhere"
    other.mkdir()
    with_base = open_state(f"sqlite:///{tmp_path / 'abs.db'}", base_dir=other)
    with_base.close()
    assert (tmp_path / "abs.db").is_file() and not any(other.iterdir())


def test_without_base_dir_a_relative_path_is_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    open_state("sqlite:///here.db").close()
    assert (tmp_path / "here.db").is_file()


def test_options_reach_the_right_store(tmp_path):
    ticks = iter(range(100, 200))
    state = open_state("sqlite:///s.db", base_dir=tmp_path, max_examples=7,
                       clock=lambda: float(next(ticks)))
    state.stages.set_stage("r", "shadow", actor="a", reason="x")
    assert state.stages.audit()[0].at == 100.0
    assert state.diffs._max_examples == 7
    state.close()
    with pytest.raises(TypeError, match="unknown option.*examples_per_route.*accepted: clock"):
        open_state("sqlite:///s.db", base_dir=tmp_path, examples_per_route=3)


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_postgres_urls_open_the_postgres_stores(postgres_url, scheme):
    url = postgres_url.replace("postgresql://", f"{scheme}://", 1)
    state = open_state(url, base_dir=None)
    assert state.kind == "postgresql"
    assert isinstance(state.diffs, PostgresDiffStore)
    assert isinstance(state.stages, PostgresStageStore)
    assert state.stages.version() == 0
    state.close()


@pytest.mark.parametrize("url", ["mysql://db/strangler", "state.db", "", "sqlite://state.db",
                                 "file:///state.db", "redis://localhost"])
def test_other_urls_are_refused_naming_the_accepted_forms(url):
    with pytest.raises(ValueError, match=r"unsupported \[state\] store URL.*sqlite:///"
                                         r".*postgresql://user:password@host"):
        open_state(url)


def test_an_empty_sqlite_path_is_refused():
    with pytest.raises(ValueError, match="no file path"):
        open_state("sqlite:///")


def test_a_malformed_postgres_url_names_the_problem_without_the_password():
    with pytest.raises(ValueError, match=r"malformed PostgreSQL store URL.*\*\*\*.*%zz"
                       ) as caught:
        open_state("postgresql://ann:hunter2@db/state?x=%zz")
    assert "hunter2" not in str(caught.value)


def test_an_unreachable_server_is_a_config_error_without_the_password():
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql://ann:hunter2@127.0.0.1:{port}/state?connect_timeout=2"
    with pytest.raises(ConfigError, match=rf"cannot open the state store "
                                          rf"postgresql://ann:\*\*\*@127.0.0.1:{port}/state"
                       ) as caught:
        open_state(url)
    assert "hunter2" not in str(caught.value) and caught.value.__cause__ is None


def test_a_missing_sqlite_directory_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match=r"cannot open the state store sqlite:///no/such/s.db"):
        open_state("sqlite:///no/such/s.db", base_dir=tmp_path)


def test_the_stores_unpack_as_a_pair(tmp_path):
    state = open_state("sqlite:///s.db", base_dir=tmp_path)
    diffs, stages = state
    assert (diffs, stages) == (state.diffs, state.stages)
    state.close()


def public(cls):
    return {name for name in dir(cls) if not name.startswith("_")}


def test_both_backends_offer_every_method_of_the_interfaces():
    import inspect

    from strangler_proxy.diffstore import DiffStore
    from strangler_proxy.pg_route_stats import PostgresRouteStats
    from strangler_proxy.route_stats import RouteStatsStore, SqliteRouteStats
    from strangler_proxy.state_factory import StageStore

    for protocol, sqlite, postgres in ((DiffStore, SqliteDiffStore, PostgresDiffStore),
                                       (StageStore, SqliteStageStore, PostgresStageStore),
                                       (RouteStatsStore, SqliteRouteStats, PostgresRouteStats)):
        wanted = public(protocol)
        assert wanted and wanted <= public(sqlite) and wanted <= public(postgres)
        for name in wanted:  # same keyword arguments, so callers never care which it is
            assert (inspect.signature(getattr(sqlite, name)).parameters.keys()
                    == inspect.signature(getattr(postgres, name)).parameters.keys()), name
