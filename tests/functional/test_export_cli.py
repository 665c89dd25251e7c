"""`strangler export` end to end through the click command."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from strangler.cli import cli
from tests.unit.strangler_proxy.export.samples import write_sample


def _run(*args: str) -> object:
    return CliRunner().invoke(cli, ["export", *args])


@pytest.mark.parametrize(("target", "files"), [
    ("nginx", ["strangler.conf"]), ("envoy", ["envoy.yaml"]),
    ("gateway-api", ["httproutes.yaml"])])
def test_out_dir_gets_the_files_and_stderr_the_limitations(
        tmp_path: Path, target: str, files: list[str]) -> None:
    routes = write_sample(tmp_path, "all_stages")
    out = tmp_path / "out" / target
    result = _run("--target", target, str(routes), "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == files
    assert result.stdout == ""
    assert "not exported" in result.stderr
    assert "route titles: response comparison" in result.stderr
    assert "route titles: promotion gates" in result.stderr
    text = (out / files[0]).read_text()
    # every line on stderr is in the file too, as a comment
    for line in result.stderr.splitlines():
        if line.startswith("  - "):
            assert f"#   - {line[4:]}" in text


def test_stdout_without_out_and_byte_identical_runs(tmp_path: Path) -> None:
    routes = write_sample(tmp_path, "conditions")
    first = _run("--target", "envoy", str(routes))
    second = _run("--target", "envoy", str(routes))
    assert first.exit_code == 0
    assert first.stdout == second.stdout
    assert yaml.safe_load(first.stdout)["static_resources"]["clusters"]


def test_standalone_nginx_writes_both_files_and_listen_is_used(tmp_path: Path) -> None:
    routes = write_sample(tmp_path, "all_stages")
    result = _run("--target", "nginx", str(routes), "--standalone", "--listen",
                  "127.0.0.1:18123", "--out", str(tmp_path / "o"))
    assert result.exit_code == 0
    assert "listen 127.0.0.1:18123;" in (tmp_path / "o" / "strangler.conf").read_text()
    assert "include strangler.conf;" in (tmp_path / "o" / "nginx.conf").read_text()
    printed = _run("--target", "nginx", str(routes), "--standalone")
    assert "# ---- strangler.conf ----" in printed.stdout
    assert "# ---- nginx.conf ----" in printed.stdout


def test_gateway_and_namespace_options(tmp_path: Path) -> None:
    routes = write_sample(tmp_path, "all_stages")
    result = _run("--target", "gateway-api", str(routes), "--gateway", "edge",
                  "--namespace", "shop")
    docs = list(yaml.safe_load_all(result.stdout))
    assert docs[0]["spec"]["parentRefs"] == [{"name": "edge"}]
    assert docs[0]["metadata"]["namespace"] == "shop"


def test_bad_file_exits_2_with_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('default = "monolith"\n[upstreams.monolith]\nurl = "http://127.0.0.1:1"\n'
                   '[[routes]]\nname = "x"\npath = "/x/"\nupstream = "catalgo"\n')
    out = tmp_path / "out"
    result = _run("--target", "nginx", str(bad), "--out", str(out))
    assert result.exit_code == 2
    assert f"{bad}:7: routes[0].upstream: no upstream named 'catalgo'" in result.stderr
    assert not out.exists()  # nothing written for a bad file


def test_missing_file_and_bad_usage_exit_2(tmp_path: Path) -> None:
    result = _run("--target", "nginx", str(tmp_path / "nope.toml"))
    assert result.exit_code == 2
    assert "cannot read" in result.stderr
    assert _run("--target", "haproxy", str(tmp_path / "x.toml")).exit_code == 2
    bad_listen = _run("--target", "envoy", str(tmp_path / "x.toml"), "--listen", "nowhere")
    assert bad_listen.exit_code == 2 and "HOST:PORT" in bad_listen.stderr
