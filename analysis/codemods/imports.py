"""Render the import block of a generated module: future, standard library, third party, local."""

from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import dataclass

MAX_LINE = 99


@dataclass(frozen=True, order=True)
class Needed:
    """One name a generated module imports: ``from module import name as local``.

    ``name`` None is ``import module [as local]``; a module starting with ``.`` is local.
    """

    module: str
    name: str | None
    local: str


def by_type(alias: str) -> tuple[int, str]:
    """isort's default order inside one statement: CONSTANTS, Classes, functions."""
    name = alias.split(" ")[0]
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return kind, name.lower()


def _alias(name: str, local: str) -> str:
    return name if name == local else f"{name} as {local}"


def _from_line(module: str, aliases: list[str]) -> str:
    line = f"from {module} import {', '.join(aliases)}"
    if len(line) <= MAX_LINE:
        return line
    inner = "".join(f"    {alias},\n" for alias in aliases)
    return f"from {module} import (\n{inner})"


def _section(items: list[Needed]) -> list[str]:
    plain = sorted({f"import {_alias(n.module, n.local)}" for n in items if n.name is None})
    grouped: dict[str, set[str]] = defaultdict(set)
    for need in items:
        if need.name is not None:
            grouped[need.module].add(_alias(need.name, need.local))
    froms = [_from_line(module, sorted(names, key=by_type))
             for module, names in sorted(grouped.items())]
    return plain + froms


def render_imports(needed: set[Needed], *, future: bool = False) -> str:
    """The import statements for ``needed``, isort-style sections separated by a blank line."""
    sections: list[list[Needed]] = [[], [], []]
    for need in needed:
        top = need.module.split(".")[0]
        if need.module.startswith("."):
            sections[2].append(need)
        elif top in sys.stdlib_module_names:
            sections[0].append(need)
        else:
            sections[1].append(need)
    blocks = [["from __future__ import annotations"]] if future else []
    blocks += [_section(items) for items in sections if items]
    return "\n\n".join("\n".join(lines) for lines in blocks)
