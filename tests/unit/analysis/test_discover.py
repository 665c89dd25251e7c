import os
from pathlib import Path

import pytest

from analysis.discover import discover


def _write(root: Path, relative: str, text: str = "x = 1\n") -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    for relative in (
        "__init__.py",
        "core/__init__.py",
        "core/models.py",
        "core/tests.py",
        "core/test_views.py",
        "core/tests/__init__.py",
        "core/tests/test_models.py",
        "core/migrations/__init__.py",
        "core/migrations/0001_initial.py",
        "core/conftest.py",
        "nsp/loose.py",  # a namespace package (no __init__.py)
        "node_modules/lib.py",
        "build/out.py",
        ".git/hooks.py",
        "venv/lib.py",
        "db/migrations/__init__.py",  # a migrations *framework*, not app migrations
        "db/migrations/executor.py",
    ):
        _write(root, relative)
    (root / "venv" / "pyvenv.cfg").write_text("home = /usr\n")
    return root


def test_modules_are_named_from_the_package_and_paths_from_its_parent(project: Path) -> None:
    found = discover(project)
    modules = {f.module: f.rel for f in found.files}
    assert modules == {
        "proj": "proj/__init__.py",
        "proj.core": "proj/core/__init__.py",
        "proj.core.models": "proj/core/models.py",
        "proj.nsp.loose": "proj/nsp/loose.py",
        "proj.db.migrations": "proj/db/migrations/__init__.py",
        "proj.db.migrations.executor": "proj/db/migrations/executor.py",
    }
    assert found.root_name == "proj"
    assert found.skipped == ()


def test_tests_and_migrations_can_be_included(project: Path) -> None:
    found = discover(project, include_tests=True, include_migrations=True)
    modules = {f.module for f in found.files}
    assert {
        "proj.core.tests",
        "proj.core.test_views",
        "proj.core.tests.test_models",
        "proj.core.conftest",
        "proj.core.migrations",
        "proj.core.migrations.0001_initial",
    } <= modules


def test_a_plain_directory_names_modules_relative_to_itself(tmp_path: Path) -> None:
    _write(tmp_path / "repo", "pkg/__init__.py")
    _write(tmp_path / "repo", "pkg/mod.py")
    _write(tmp_path / "repo", "manage.py")
    found = discover(tmp_path / "repo")
    assert {f.module: f.rel for f in found.files} == {
        "pkg": "repo/pkg/__init__.py",
        "pkg.mod": "repo/pkg/mod.py",
        "manage": "repo/manage.py",
    }


def test_oversized_files_and_symlink_loops_are_skipped_with_a_reason(tmp_path: Path) -> None:
    root = tmp_path / "pkg"
    _write(root, "__init__.py")
    _write(root, "big.py", "x = 1\n" * 100)
    os.symlink(root, root / "loop")
    os.symlink(root / "missing.py", root / "dangling.py")
    found = discover(root, max_bytes=100)
    reasons = {s.file: s.reason for s in found.skipped}
    assert reasons["pkg/big.py"].startswith("file too large: 600 bytes > 100")
    assert reasons["pkg/loop"].startswith("symlink loop")
    assert reasons["pkg/dangling.py"] == "broken symlink"
    assert [f.module for f in found.files] == ["pkg"]
