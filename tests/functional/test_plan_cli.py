import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from strangler.cli import cli

ROOT = Path(__file__).resolve().parents[2]


def _plan(tmp_path, *args):
    return CliRunner().invoke(
        cli, ["plan", str(ROOT / "monolith"), "--no-cache", "--quiet", *args]
    )


def _plan_in_process(hash_seed: str, *args: str) -> bytes:
    """A fresh interpreter with its own string-hash seed: set order must not leak out."""
    run = subprocess.run(
        [sys.executable, "-c", "from strangler.cli import main; main()", "plan",
         str(ROOT / "monolith"), "--no-cache", "--quiet", *args],
        capture_output=True, env={**os.environ, "PYTHONHASHSEED": hash_seed}, timeout=300,
        cwd=ROOT,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_json_is_byte_identical_for_the_same_seed(tmp_path):
    first = _plan_in_process("1", "--format", "json", "--seed", "7")
    assert first == _plan_in_process("2", "--format", "json", "--seed", "7")
    data = json.loads(first)
    assert {"services", "seams", "metrics", "plan", "ownership"} <= data.keys()
    assert {"modularity", "structural_modularity", "icp", "ifn"} <= data["metrics"].keys()
    for service in data["services"]:
        assert service["members"] and isinstance(service["url_prefixes"], list)
    seam = data["seams"][0]
    assert seam["locations"] and seam["change"]


def test_emitted_routes_pass_proxy_check(tmp_path):
    routes = tmp_path / "routes.toml"
    result = _plan(tmp_path, "--emit-routes", str(routes), "--out", str(tmp_path / "plan.txt"))
    assert result.exit_code == 0, result.output
    text = routes.read_text()
    assert 'default = "monolith"' in text and 'stage = "monolith"' in text
    check = CliRunner().invoke(cli, ["proxy", "check", str(routes)])
    assert check.exit_code == 0, check.output
    assert "/api/playback/" in check.output
    assert "Extraction order" in (tmp_path / "plan.txt").read_text()


def test_dot_and_mermaid_draw_services_and_their_seams(tmp_path):
    dot = _plan(tmp_path, "--format", "dot")
    assert dot.exit_code == 0 and dot.output.startswith('digraph "monolith"')
    assert '"playback" -> "catalog"' in dot.output and "fk " in dot.output
    mermaid = _plan(tmp_path, "--format", "mermaid", "--services", "5")
    assert mermaid.exit_code == 0 and mermaid.output.startswith("flowchart LR")
    assert mermaid.output.count('["') == 6  # five services and the shared kernel


def test_a_bad_pin_is_a_usage_error(tmp_path):
    result = _plan(tmp_path, "--pin", "nothing")
    assert result.exit_code == 2
    assert "NAME=MODULE" in result.output
    result = _plan(tmp_path, "--pin", "x=monolith.nowhere")
    assert result.exit_code == 2
    assert "monolith.nowhere" in result.output
