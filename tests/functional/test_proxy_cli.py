"""`strangler proxy check|serve` end to end through click (serve in a real subprocess)."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import httpx
from click.testing import CliRunner

from strangler.cli import cli
from tests.support.servers import UpstreamApp, running
from tests.unit.strangler_proxy.harness import proxy_process, write_routes

VALID = """\
default = "monolith"

[upstreams.monolith]
url = "http://127.0.0.1:8000"

[upstreams.catalog]
url = "http://127.0.0.1:8001"

[[routes]]
name = "catalog"
path = "/api/catalog/"
upstream = "catalog"
stage = "service"
strip_prefix = "/api"

[[routes]]
name = "title"
pattern = "/api/catalog/titles/{id}/"
upstream = "catalog"
stage = "shadow"
"""


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_check_prints_the_effective_table(tmp_path: Path) -> None:
    path = tmp_path / "routes.toml"
    path.write_text(VALID)
    code, out, _ = invoke("proxy", "check", str(path))
    assert code == 0
    assert "default upstream: monolith" in out
    lines = out.splitlines()
    title = next(i for i, line in enumerate(lines) if " title " in line)
    catalog = next(i for i, line in enumerate(lines) if " catalog " in line and "prefix" in line)
    assert title < catalog  # the pattern is tried before the prefix
    assert "strip=/api" in lines[catalog]


def test_explain_says_which_route_wins_and_why(tmp_path: Path) -> None:
    path = tmp_path / "routes.toml"
    path.write_text(VALID)
    code, out, _ = invoke("proxy", "check", str(path), "--explain", "/api/catalog/items/3?x=1")
    assert code == 0
    assert "title: path does not match pattern /api/catalog/titles/{id}/" in out
    assert "-> catalog: matched" in out
    assert "forwarded to: catalog http://127.0.0.1:8001/catalog/items/3?x=1" in out
    code, out, _ = invoke("proxy", "check", str(path), "--explain", "/api//catalog/titles/3/")
    assert "normalised path: /api/catalog/titles/3/" in out
    assert "winner: title" in out
    assert "forwarded to: monolith" in out
    assert "shadow copy to: catalog" in out
    code, out, _ = invoke("proxy", "check", str(path), "--explain", "/elsewhere")
    assert "winner: default (no route matched)" in out


def test_explain_rejects_a_path_the_proxy_would_refuse(tmp_path: Path) -> None:
    path = tmp_path / "routes.toml"
    path.write_text(VALID)
    code, _, err = invoke("proxy", "check", str(path), "--explain", "/api/catalog%2f..")
    assert code == 2
    assert "encoded '/'" in err


def test_check_reports_every_error_and_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "routes.toml"
    path.write_text(VALID.replace('stage = "service"', 'stage = "servise"')
                    .replace('upstream = "catalog"\nstage = "shadow"',
                             'upstream = "catalogue"\nstage = "shadow"'))
    code, out, err = invoke("proxy", "check", str(path))
    assert code == 1
    assert out == ""
    assert f"{path}:13: routes[0].stage: 'servise' is not one of" in err
    assert (f"{path}:19: routes[1].upstream: no upstream named 'catalogue'; "
            "did you mean 'catalog'?") in err
    assert "2 problem(s)" in err


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = invoke("proxy", "check", str(tmp_path / "nope.toml"))
    assert code == 2
    assert "no such file" in err
    code, _, err = invoke("proxy", "serve", "--config", str(tmp_path / "nope.toml"))
    assert code == 2


def test_serve_refuses_an_invalid_file_with_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "routes.toml"
    path.write_text('default = "nowhere"\n')
    code, _, err = invoke("proxy", "serve", "--config", str(path))
    assert code == 2
    assert "not served" in err


def _unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_with_an_unreachable_state_store_exits_2_without_a_traceback(
        tmp_path: Path) -> None:
    # A real process: the check must happen in the parent, before uvicorn starts a worker.
    config = tmp_path / "routes.toml"
    config.write_text('default = "monolith"\n[upstreams.monolith]\nurl = "http://127.0.0.1:9"\n'
                      f'[state]\nstore = "postgresql://proxy:s3cret@127.0.0.1:{_unused_port()}'
                      '/strangler"\n')
    done = subprocess.run([sys.executable, "-m", "strangler", "proxy", "serve", "--config",
                           str(config), "--port", str(_unused_port())],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "cannot open the state store postgresql://proxy:***@127.0.0.1:" in done.stderr
    assert "not served" in done.stderr
    assert "s3cret" not in done.stderr + done.stdout
    assert "Traceback" not in done.stderr


def test_serve_with_an_unopenable_sqlite_store_exits_2(tmp_path: Path) -> None:
    config = tmp_path / "routes.toml"
    folder = tmp_path / "a-folder"  # a folder where the database file should be
    folder.mkdir()
    config.write_text('default = "monolith"\n[upstreams.monolith]\nurl = "http://127.0.0.1:9"\n'
                      f'[state]\nstore = "sqlite:///{folder}"\n')
    code, _, err = invoke("proxy", "serve", "--config", str(config))
    assert code == 2
    assert f"{config}: not served: cannot open the state store" in err


def test_serve_runs_the_proxy(tmp_path: Path) -> None:
    with running(UpstreamApp("monolith")) as monolith:
        config = write_routes(tmp_path / "routes.toml", {"monolith": monolith.url})
        with proxy_process(config, "--workers", "2") as proxy:
            response = httpx.get(proxy.url + "/hello")
            assert response.status_code == 200
            assert response.json()["upstream"] == "monolith"
            assert httpx.get(proxy.url + "/-/health").json() == {"status": "ok"}
