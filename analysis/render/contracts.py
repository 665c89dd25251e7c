"""import-linter contracts that hold the proposed boundaries inside the monolith.

Modular monolith first: one ``forbidden`` contract per service says its modules import no
module of another service. Only modules wholly owned by one service can be named (import
-linter works on modules); modules split between services are listed in a comment: split
them first. The output is an ``.importlinter``-style INI file for ``lint-imports --config``.
"""

from __future__ import annotations

from analysis.boundaries.model import Proposal


def render_contracts_ini(proposal: Proposal, root_package: str) -> str:
    owned = {s.name: list(s.modules) for s in proposal.services if s.modules}
    lines = [
        "; Written by `strangler plan --emit-contracts`: check with",
        ";   lint-imports --config <this file>",
        "; Broken contracts are the seams still to cut before extraction.",
        "[importlinter]",
        f"root_package = {root_package}",
        "",
    ]
    split = sorted(
        {m for s in proposal.services for m in {u.partition(':')[0] for u in s.members}}
        - {m for modules in owned.values() for m in modules}
    )
    if split:
        lines.append("; modules shared by several services (split them first):")
        lines += [f";   {module}" for module in split]
        lines.append("")
    for name, modules in sorted(owned.items()):
        others = sorted(m for other, ms in owned.items() if other != name for m in ms)
        if not others:
            continue
        lines += [
            f"[importlinter:contract:{name}]",
            f"name = {name} imports no other service's modules",
            "type = forbidden",
            "as_packages = False",
            "source_modules =",
            *[f"    {m}" for m in modules],
            "forbidden_modules =",
            *[f"    {m}" for m in others],
            "",
        ]
    return "\n".join(lines)
