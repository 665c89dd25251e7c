"""Find the Python files under an analysed root and name their modules.

Analysing a package directory (``monolith/`` with an ``__init__.py``) names modules from the
package itself (``monolith.core.models``); analysing a plain directory names them relative
to it (namespace packages included). Paths in results are relative to the root's parent, as
in the JSON contract (``monolith/core/models.py``).

Excluded by default: virtualenvs, ``node_modules``, build output, VCS and tool caches, test
folders and files, and Django migration folders (a ``migrations`` folder holding
``0001_*.py``-style files; Django's own ``django.db.migrations`` package stays).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from analysis.facts import Skipped

DEFAULT_MAX_BYTES = 2_000_000

_ALWAYS_EXCLUDED = frozenset(
    {
        ".git", ".hg", ".svn", "node_modules", "__pycache__", ".tox", ".nox", ".mypy_cache",
        ".pytest_cache", ".ruff_cache", "build", "dist", "site-packages", ".venv", "venv",
        ".eggs", ".strangler-cache",
    }
)  # fmt: skip
_TEST_DIRS = frozenset({"tests", "testing_utils"})
# Folders that hold no Python unless they are packages; skipping them spares thousands of
# directory reads on projects with translations (Django has ~1,800 LC_MESSAGES folders).
_DATA_DIRS = frozenset({"locale", "LC_MESSAGES", "static", "templates", "jinja2", "fixtures"})
_TEST_FILE = re.compile(r"^(test_.*|.*_tests?|tests|conftest)\.py$")
_MIGRATION_FILE = re.compile(r"^\d{4}_\w*\.py$")


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file to analyse: its absolute path, contract-relative path and module name."""

    path: str
    rel: str
    module: str
    is_package: bool


@dataclass(frozen=True, slots=True)
class Discovery:
    root_name: str
    files: tuple[SourceFile, ...]
    skipped: tuple[Skipped, ...]


def _is_virtualenv(path: str, names: list[str]) -> bool:
    return "pyvenv.cfg" in names


def _is_migrations(name: str, entries: list[str]) -> bool:
    return name == "migrations" and any(_MIGRATION_FILE.match(entry) for entry in entries)


def discover(
    root: Path,
    *,
    include_tests: bool = False,
    include_migrations: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Discovery:
    """Walk ``root`` (a directory) without following symlink loops; never opens a file."""
    root = root.resolve()
    base = root.parent
    is_package = (root / "__init__.py").is_file()
    prefix = (root.name,) if is_package else ()
    files: list[SourceFile] = []
    skipped: list[Skipped] = []
    seen_dirs: set[tuple[int, int]] = set()

    def rel(path: str) -> str:
        return os.path.relpath(path, base).replace(os.sep, "/")

    def walk(directory: str, parts: tuple[str, ...]) -> None:
        try:
            info = os.stat(directory)
        except OSError as error:  # ELOOP for a link to itself
            skipped.append(Skipped(rel(directory), f"unreadable directory: {error.strerror}"))
            return
        identity = (info.st_dev, info.st_ino)
        if identity in seen_dirs:
            skipped.append(Skipped(rel(directory), "symlink loop: directory already visited"))
            return
        seen_dirs.add(identity)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as error:
            skipped.append(Skipped(rel(directory), f"unreadable directory: {error.strerror}"))
            return
        names = [entry.name for entry in entries]
        if parts and _is_virtualenv(directory, names):
            return
        for entry in entries:
            name = entry.name
            try:
                if entry.is_dir():
                    if name in _ALWAYS_EXCLUDED or name.startswith("."):
                        continue
                    if not include_tests and name in _TEST_DIRS:
                        continue
                    if not name.isidentifier():
                        continue
                    if name in _DATA_DIRS and not os.path.exists(
                        os.path.join(entry.path, "__init__.py")
                    ):
                        continue
                    if not include_migrations and name == "migrations":
                        try:
                            inner = os.listdir(entry.path)
                        except OSError:
                            inner = []
                        if _is_migrations(name, inner):
                            continue
                    walk(entry.path, (*parts, name))
                    continue
                if not name.endswith(".py"):
                    continue
                if entry.is_symlink() and not os.path.exists(entry.path):
                    skipped.append(Skipped(rel(entry.path), "broken symlink"))
                    continue
                if not entry.is_file():
                    continue
                if not include_tests and _TEST_FILE.match(name):
                    continue
                stem = name[:-3]
                # Migration modules ("0001_initial") are importable by name, not by syntax.
                if not stem.isidentifier() and not _MIGRATION_FILE.match(name):
                    continue
                size = entry.stat().st_size
                if size > max_bytes:
                    skipped.append(
                        Skipped(rel(entry.path), f"file too large: {size} bytes > {max_bytes}")
                    )
                    continue
                package = stem == "__init__"
                module_parts = (*prefix, *parts) if package else (*prefix, *parts, stem)
                module = ".".join(module_parts) or root.name
                files.append(SourceFile(entry.path, rel(entry.path), module, package))
            except OSError as error:
                skipped.append(Skipped(rel(entry.path), f"unreadable: {error.strerror or error}"))

    walk(str(root), ())
    return Discovery(root.name, tuple(files), tuple(skipped))
