"""Shared by the codemod tests: fixture paths and running Django commands in a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[4]
FIXTURES = REPO / "tests" / "fixtures" / "codemods"
SHOP = FIXTURES / "shopsite" / "shop"
SHOP_PLAN = FIXTURES / "shop_plan.json"
EXPECTED_FACADE = FIXTURES / "expected_facade"
MONOLITH = REPO / "monolith"
CORE_MODULES = ("monolith.core.models", "monolith.core.serializers", "monolith.core.views")


def copy_shop(tmp_path: Path) -> Path:
    """A copy of the fixture project's ``shop`` package (tests never edit the fixture)."""
    target = tmp_path / "src" / "shop"
    shutil.copytree(SHOP, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def catalog_plan(tmp_path: Path) -> Path:
    """A hand-written plan: the catalog's members in core's models, serializers and views."""
    truth = tomllib.loads((MONOLITH / "ground_truth.toml").read_text(encoding="utf-8"))
    members = [m for m in truth["domains"]["catalog"] if m.partition(":")[0] in CORE_MODULES]
    plan = {"schema_version": 1, "services": [
        {"name": "catalog", "members": members, "models": [], "url_prefixes": ["/api/catalog/"]},
    ]}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    return path


def run_python(args: list[str], *, cwd: Path, pythonpath: Path,
               env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the venv's python in a clean Django environment (no pytest settings leak in)."""
    clean = {k: v for k, v in os.environ.items()
             if k not in ("DJANGO_SETTINGS_MODULE", "PYTEST_VERSION", "PYTHONPATH")}
    clean.update(env or {}, PYTHONPATH=str(pythonpath))
    return subprocess.run([sys.executable, *args], cwd=cwd, env=clean, capture_output=True,
                          text=True, timeout=120, check=False)
