"""The `strangler` group itself: help and version answer without heavy imports."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from strangler import __version__
from strangler.cli import LAZY_COMMANDS, cli

HEAVY_MODULES = ("django", "libcst", "networkx", "httpx", "uvicorn", "rich")


def test_version_prints_the_package_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"strangler, version {__version__}"


def test_help_lists_every_available_command() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in ("analyze", "proxy"):
        assert name in LAZY_COMMANDS
        assert f"  {name} " in result.output


def test_unknown_command_is_bad_usage() -> None:
    result = CliRunner().invoke(cli, ["frobnicate"])
    assert result.exit_code == 2
    assert "No such command" in result.output


def test_help_and_version_import_nothing_heavy() -> None:
    # A fresh interpreter, so modules imported by this test session do not count.
    probe = (
        "import json, sys\n"
        "from strangler.cli import main\n"
        "for args in (['--help'], ['--version']):\n"
        "    try:\n"
        "        main(args)\n"
        "    except SystemExit:\n"
        "        pass\n"
        f"print(json.dumps(sorted(m for m in {HEAVY_MODULES!r} if m in sys.modules)))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    loaded = json.loads(completed.stdout.strip().splitlines()[-1])
    assert loaded == []
