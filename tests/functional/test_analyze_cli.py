"""``strangler analyze`` end to end through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from strangler.cli import cli

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "projects"
SHOP = str(FIXTURES / "shop")


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["analyze", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("granularity", ["symbol", "module", "app"])
def test_json_follows_the_contract_at_each_granularity(granularity: str) -> None:
    code, out, _ = _run(SHOP, "--format", "json", "--granularity", granularity, "--no-cache")
    assert code == 0
    data = json.loads(out)
    assert (data["schema_version"], data["root"], data["granularity"]) == (1, "shop", granularity)
    ids = {node["id"] for node in data["nodes"]}
    expected = {
        "symbol": "shop.orders.models:Order",
        "module": "shop.orders.models",
        "app": "sales",
    }
    assert expected[granularity] in ids
    assert all(edge["source"] in ids and edge["target"] in ids for edge in data["edges"])


def test_text_is_the_default_and_dot_mermaid_draw(tmp_path: Path) -> None:
    code, out, _ = _run(SHOP, "--no-cache", "--quiet")
    assert code == 0 and out.startswith("strangler analysis of shop/")
    code, out, _ = _run(SHOP, "--format", "dot", "--granularity", "app", "--no-cache")
    assert code == 0 and '"sales" -> "catalog"' in out
    code, out, _ = _run(SHOP, "--format", "mermaid", "--granularity", "module", "--no-cache")
    assert code == 0 and out.startswith("flowchart LR")


def test_out_writes_the_file_and_nothing_to_stdout(tmp_path: Path) -> None:
    target = tmp_path / "graph.json"
    code, out, _ = _run(
        SHOP, "--format", "json", "--out", str(target), "--cache-dir", str(tmp_path / "c")
    )
    assert code == 0 and out == ""
    assert json.loads(target.read_text())["root"] == "shop"
    assert list((tmp_path / "c").glob("index-shop-*.pickle"))


def test_skipped_files_warn_but_exit_zero() -> None:
    code, out, err = _run(str(FIXTURES / "broken" / "pkg"), "--no-cache")
    assert code == 0
    assert "pkg/syntax_error.py: syntax error at line 1" in out
    assert "2 file(s) skipped" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["does/not/exist"], "does not exist"),
        ([str(FIXTURES / "README.md")], "is not a directory"),
        ([SHOP, "--format", "yaml"], "Invalid value for '--format'"),
        ([SHOP, "--granularity", "package"], "Invalid value for '--granularity'"),
        ([SHOP, "--jobs", "0"], "Invalid value for '--jobs'"),
    ],
)
def test_bad_paths_and_options_exit_2_with_a_message(args: list[str], message: str) -> None:
    code, _, err = _run(*args)
    assert code == 2
    assert message in err


def test_include_tests_and_migrations_flags(tmp_path: Path) -> None:
    app = tmp_path / "proj" / "app"
    (app / "tests").mkdir(parents=True)
    (app / "migrations").mkdir()
    for relative in ("__init__.py", "app/__init__.py", "app/tests/__init__.py"):
        (tmp_path / "proj" / relative).write_text("")
    (app / "tests" / "test_x.py").write_text("def test_x():\n    pass\n")
    (app / "migrations" / "__init__.py").write_text("")
    (app / "migrations" / "0002_add.py").write_text("class Migration:\n    pass\n")
    (app / "migrations" / "helpers.py").write_text("def helper():\n    pass\n")

    def ids(*flags: str) -> set[str]:
        code, out, _ = _run(str(tmp_path / "proj"), "--format", "json", "--no-cache", *flags)
        assert code == 0
        return {node["id"] for node in json.loads(out)["nodes"]}

    assert "proj.app.tests.test_x:test_x" not in ids()
    assert "proj.app.migrations.helpers:helper" not in ids()
    assert "proj.app.tests.test_x:test_x" in ids("--include-tests")
    assert "proj.app.migrations.helpers:helper" in ids("--include-migrations")
