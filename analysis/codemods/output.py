"""Show or write what a codemod produced: file trees, unified diffs, careful writes."""

from __future__ import annotations

import difflib
import os
import tempfile
from pathlib import Path

from analysis.codemods.facade import FileChange


def changes_against(base: Path, files: dict[str, str]) -> list[FileChange]:
    """``files`` (relative to ``base``) that differ from what is on disk now."""
    changes = []
    for rel, text in sorted(files.items()):
        path = base / rel
        before = path.read_text(encoding="utf-8") if path.is_file() else ""
        if before != text or not path.is_file():
            changes.append(FileChange(rel, before, text))
    return changes


def render_diff(changes: list[FileChange]) -> str:
    """A unified diff of every change; a new file is diffed against /dev/null."""
    chunks = []
    for change in changes:
        old = f"a/{change.rel_path}" if change.before else "/dev/null"
        chunks.append("".join(difflib.unified_diff(
            change.before.splitlines(keepends=True), change.after.splitlines(keepends=True),
            fromfile=old, tofile=f"b/{change.rel_path}")))
    return "".join(chunk if chunk.endswith("\n") else chunk + "\n" for chunk in chunks)


def render_tree(name: str, paths: list[str]) -> str:
    """An indented listing of ``paths`` under ``name/``, directories first."""
    lines = [f"{name}/"]
    shown: set[str] = set()
    for path in sorted(paths, key=lambda p: (p.split("/")[:-1], p)):
        parts = path.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            if folder not in shown:
                shown.add(folder)
                lines.append("  " * depth + parts[depth - 1] + "/")
        lines.append("  " * len(parts) + parts[-1])
    return "\n".join(lines) + "\n"


def write_changes(base: Path, changes: list[FileChange]) -> None:
    """Write each file through a temporary sibling and a rename: never half a file."""
    for change in changes:
        path = base / change.rel_path
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
                stream.write(change.after)
            if path.exists():
                os.chmod(temp, path.stat().st_mode)
            else:  # mkstemp makes 0600; scripts with a shebang (manage.py) stay runnable
                os.chmod(temp, 0o755 if change.after.startswith("#!") else 0o644)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
