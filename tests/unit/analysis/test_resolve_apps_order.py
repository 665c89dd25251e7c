"""Apps found by their models modules do not depend on set order (the hash seed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from analysis import AnalysisOptions, analyze

_LABELS = """
import json, sys
from pathlib import Path
from analysis import AnalysisOptions, analyze
result = analyze(Path(sys.argv[1]), AnalysisOptions(use_cache=False, jobs=1))
print(json.dumps([(a.label, a.package) for a in result.apps]))
"""


def _project(root: Path) -> Path:
    pkg = root / "pkg"
    for folder in ("", "shop", "shop/legacy", "shop/legacy/old", "blog"):
        (pkg / folder).mkdir(parents=True, exist_ok=True)
        (pkg / folder / "__init__.py").write_text("")
    for folder in ("shop", "shop/legacy", "shop/legacy/old", "blog"):
        (pkg / folder / "models.py").write_text("X = 1\n")
    return pkg


def test_a_models_package_inside_an_app_is_part_of_it(tmp_path: Path) -> None:
    result = analyze(_project(tmp_path), AnalysisOptions(use_cache=False, jobs=1))
    assert [(a.label, a.package) for a in result.apps] == [
        ("blog", "pkg.blog"),
        ("shop", "pkg.shop"),
    ]


def test_apps_are_the_same_whatever_the_hash_seed(tmp_path: Path) -> None:
    pkg = _project(tmp_path)
    seen = set()
    for seed in ("1", "2", "5", "6"):  # 2, 5 and 6 made nested apps before
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", _LABELS, str(pkg)],
            env=env, capture_output=True, text=True, check=True,
            cwd=Path(__file__).resolve().parents[3],
        )  # fmt: skip
        seen.add(out.stdout)
    assert len(seen) == 1
    assert json.loads(seen.pop()) == [["blog", "pkg.blog"], ["shop", "pkg.shop"]]
