"""The two codemods as one call each: what the ``strangler extract`` command runs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analysis.codemods.copier import Copier
from analysis.codemods.errors import SourceError, TargetExistsError
from analysis.codemods.facade import (
    FileChange,
    Unhandled,
    facade_files,
    facade_plan,
    rewrite_imports,
)
from analysis.codemods.output import changes_against, write_changes
from analysis.codemods.plan import ServicePlan
from analysis.codemods.scaffold import Scaffold, build_scaffold
from analysis.codemods.sources import SourceTree


@dataclass(frozen=True)
class ExtractOutcome:
    scaffold: Scaffold
    changes: tuple[FileChange, ...]
    written: bool


@dataclass(frozen=True)
class FacadeOutcome:
    changes: tuple[FileChange, ...]
    unhandled: tuple[Unhandled, ...]
    written: bool


def _check_root(root: Path) -> None:
    if not (root / "__init__.py").is_file():
        raise SourceError(f"{root}: not a Python package (no __init__.py); pass the analysed "
                          "package with --root, e.g. --root monolith")


def extract_service(root: Path, plan: ServicePlan, dest: Path, *, dry_run: bool = False,
                    force: bool = False) -> ExtractOutcome:
    """Scaffold ``plan``'s service into ``dest``; with ``dry_run`` write nothing."""
    _check_root(root)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())) and not force and not dry_run:
        raise TargetExistsError(f"{dest} already exists; choose another --to, or pass --force "
                                "to overwrite the files the scaffold writes (others are kept)")
    scaffold = build_scaffold(root, plan)
    changes = changes_against(dest, scaffold.files)
    if not dry_run:
        write_changes(dest, changes)
    return ExtractOutcome(scaffold, tuple(changes), not dry_run)


def facade_service(root: Path, plan: ServicePlan, *, dry_run: bool = False) -> FacadeOutcome:
    """Write the facade package and route cross-boundary imports through it."""
    _check_root(root)
    tree = SourceTree(root)
    members = Copier(tree, plan).members
    facade = facade_plan(tree, plan, members)
    changes = changes_against(tree.base, facade_files(tree, facade, plan.name))
    rewritten, unhandled = rewrite_imports(tree, facade)
    changes += rewritten
    if not dry_run:
        write_changes(tree.base, changes)
    return FacadeOutcome(tuple(changes), tuple(unhandled), not dry_run)
