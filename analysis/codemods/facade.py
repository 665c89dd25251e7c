"""The facade codemod: other domains import the service's members through one facade package.

For a service ``catalog`` planned out of ``monolith``, it writes ``monolith/catalog_facade/``
with one module per member module (``catalog_facade/models.py`` re-exports the members of
``monolith.core.models``), then rewrites every import of a member in the modules outside the
service to name the facade instead::

    from monolith.core.models import Episode, Profile, Title      # before
    from monolith.core.models import Profile                      # after: what stays
    from monolith.catalog_facade.models import Episode, Title     #        what moved

Everything else in the file is left byte for byte (a libcst round trip): comments, spacing,
aliases (``Title as CatalogTitle``), relative imports (rewritten relative to the facade),
function-local and ``if TYPE_CHECKING:`` imports. The facade is the one place where the
anti-corruption client later switches in. Running it twice changes nothing the second time.
Module-style imports (``from monolith.core import models``) and star imports are reported,
not rewritten: which names they use is not visible at the import.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

import libcst as cst

from analysis.codemods.imports import MAX_LINE, by_type
from analysis.codemods.plan import ServicePlan
from analysis.codemods.sources import SourceTree, dotted, import_module_name

_SKIPPED_DIRS = {"migrations", "tests", "__pycache__"}


@dataclass(frozen=True)
class FileChange:
    """One file the codemod writes: ``before`` is empty for a new file."""

    rel_path: str
    before: str
    after: str


@dataclass(frozen=True)
class Unhandled:
    rel_path: str
    line: int
    text: str


@dataclass(frozen=True)
class FacadePlan:
    package: str  # "monolith.catalog_facade"
    modules: dict[str, str]  # member module -> facade module ("monolith.catalog_facade.models")
    names: dict[str, tuple[str, ...]]  # member module -> member names, in source order


def facade_plan(tree: SourceTree, plan: ServicePlan, members: list[str]) -> FacadePlan:
    package = f"{tree.package}.{plan.name}_facade"
    names: dict[str, list[str]] = {}
    for member in members:
        module, _, name = member.partition(":")
        names.setdefault(module, []).append(name)
    lasts = [m.rpartition(".")[2] for m in names]
    modules = {}
    for module in names:
        last = module.rpartition(".")[2]
        unique = lasts.count(last) == 1 and last != "__init__"
        inner = last if unique else module.removeprefix(tree.package + ".").replace(".", "_")
        modules[module] = f"{package}.{inner}"
    return FacadePlan(package, modules, {m: tuple(n) for m, n in names.items()})


def _relative_to(importer_package: str, target: str) -> tuple[int, str]:
    """Dots and module for importing ``target`` relatively from ``importer_package``."""
    mine, theirs = importer_package.split("."), target.split(".")
    common = 0
    while common < min(len(mine), len(theirs)) and mine[common] == theirs[common]:
        common += 1
    return len(mine) - common + 1, ".".join(theirs[common:])


def _name(alias: cst.ImportAlias) -> str:
    return dotted(alias.name) or ""


def _alias_text(alias: cst.ImportAlias) -> str:
    asname = alias.asname.name if alias.asname is not None else None
    return f"{_name(alias)} as {asname.value}" if isinstance(asname, cst.Name) else _name(alias)


class _Rewriter(cst.CSTTransformer):
    def __init__(self, tree: SourceTree, facade: FacadePlan, package: str) -> None:
        self.tree = tree
        self.facade = facade
        self.package = package
        self.unhandled: list[tuple[cst.CSTNode, str]] = []
        self.changed = False

    def _new_import(self, original: cst.ImportFrom, target: str, aliases: list[str],
                    indent: str) -> cst.SimpleStatementLine:
        if original.relative:
            dots, module = _relative_to(self.package, target)
            prefix = "." * dots + module
        else:
            prefix = target
        text = f"from {prefix} import {', '.join(aliases)}"
        if len(indent) + len(text) > MAX_LINE:
            inner = "".join(f"    {alias},\n" for alias in aliases)
            text = f"from {prefix} import (\n{inner})"
        statement = cst.parse_statement(text + "\n")
        assert isinstance(statement, cst.SimpleStatementLine)
        return statement

    def _split(self, node: cst.ImportFrom) -> tuple[cst.ImportFrom | None, str, list[str]] | None:
        if isinstance(node.names, cst.ImportStar):
            return None
        module = import_module_name(node, self.package)
        if module not in self.facade.modules:
            return None
        members = set(self.facade.names[module])
        moving = [a for a in node.names if _name(a) in members]
        if not moving:
            return None
        kept = [a for a in node.names if a not in moving]
        target = self.facade.modules[module]
        if not kept:
            return None, target, [_alias_text(a) for a in moving]
        last_comma = node.names[-1].comma
        kept[-1] = kept[-1].with_changes(comma=last_comma)
        return node.with_changes(names=kept), target, [_alias_text(a) for a in moving]

    # Positions belong to the original nodes: report what is left while visiting them.
    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            if _name(alias) in self.facade.modules:
                self.unhandled.append((node, f"import {_name(alias)}"))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = import_module_name(node, self.package)
        if isinstance(node.names, cst.ImportStar):
            if module in self.facade.modules:
                self.unhandled.append((node, f"from {module} import *"))
            return
        for alias in node.names:
            if f"{module}.{_name(alias)}" in self.facade.modules:
                self.unhandled.append((node, f"from {module} import {_name(alias)}"))

    def leave_SimpleStatementLine(
        self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement]:
        body: list[cst.BaseSmallStatement] = []
        extra: list[cst.SimpleStatementLine] = []
        for small in updated.body:
            if not isinstance(small, cst.ImportFrom) or (split := self._split(small)) is None:
                body.append(small)
                continue
            kept, target, aliases = split
            self.changed = True
            if kept is None:
                # Every name moves: re-point the statement, keep its layout and comments.
                new = self._new_import(small, target, ["_"], "").body[0]
                assert isinstance(new, cst.ImportFrom)
                body.append(small.with_changes(module=new.module, relative=new.relative))
                continue
            if kept is not None:
                body.append(kept)
            extra.append(self._new_import(small, target, aliases, ""))
        if not body:
            first, *rest = extra
            return cst.FlattenSentinel([first.with_changes(leading_lines=updated.leading_lines),
                                        *rest])
        line = updated.with_changes(body=body)
        if len(body) == 1:
            only = body[0].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
            line = line.with_changes(body=[only])
        return cst.FlattenSentinel([line, *extra]) if extra else line


def _module_id(tree: SourceTree, path: Path) -> str:
    parts = list(path.relative_to(tree.base).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def facade_files(tree: SourceTree, facade: FacadePlan, service: str) -> dict[str, str]:
    """The facade package's files (path relative to the root's parent -> text)."""
    client = tree.root / f"{service}_client"
    paragraphs = [
        f"The {service} service as the rest of {tree.package} imports it (written by "
        f"`strangler extract {service} --facade`).",
        f"Every import of the {service} service's members from outside it goes through these "
        "modules, so this is the one place where the anti-corruption client switches in when "
        f"{service} moves out.",
    ]
    if client.is_dir():
        paragraphs.append(f"``{tree.package}.{service}_client`` is that client: move callers to "
                          "its reader when the service owns the data, then point these names "
                          "at it.")
    paragraphs.append("The package imports nothing itself: each module imports only its source "
                      "module, so the import order (and Django's app loading) stays as it was.")
    text = "\n\n".join(textwrap.fill(p, width=MAX_LINE - 3) for p in paragraphs)
    base = facade.package.replace(".", "/")
    files = {f"{base}/__init__.py": f'"""{text}\n"""\n'}
    for module, facade_module in facade.modules.items():
        names = sorted(facade.names[module], key=by_type)
        listed = "".join(f'    "{n}",\n' for n in names)
        line = f"from {module} import {', '.join(names)}"
        if len(line) > MAX_LINE:
            line = f"from {module} import (\n" + "".join(f"    {n},\n" for n in names) + ")"
        files[facade_module.replace(".", "/") + ".py"] = (
            f'"""{service} names from ``{module}``: import them from here, not from there."""'
            f"\n\n{line}\n\n__all__ = [\n{listed}]\n")
    return files


def rewrite_imports(tree: SourceTree,
                    facade: FacadePlan) -> tuple[list[FileChange], list[Unhandled]]:
    """Rewrite the modules outside the service; returns the changed files and what was left."""
    facade_dir = tree.base.joinpath(*facade.package.split("."))
    changes: list[FileChange] = []
    unhandled: list[Unhandled] = []
    parents = {m.rpartition(".")[0] or m for m in facade.modules}
    for path in sorted(tree.root.rglob("*.py")):
        if _SKIPPED_DIRS & set(path.relative_to(tree.root).parts) or facade_dir in path.parents:
            continue
        module_id = _module_id(tree, path)
        if module_id in facade.modules:
            continue  # inside the service: its own imports are not cross-boundary
        # Parsing is the cost: a file naming no member module's package cannot import one.
        text = path.read_text(encoding="utf-8", errors="replace")
        if "from ." not in text and not any(p in text for p in parents):
            continue
        source = tree.module(module_id)
        package = source.package
        rewriter = _Rewriter(tree, facade, package)
        new_tree = source.tree.visit(rewriter)
        for node, text in rewriter.unhandled:
            unhandled.append(Unhandled(source.rel_path, source.line_of(node), text))
        if rewriter.changed:
            before = source.tree.code
            changes.append(FileChange(source.rel_path, before, new_tree.code))
    return changes, unhandled
