"""Seams left to cut: what the scaffold could not carry, where it is, and what to do about it."""

from __future__ import annotations

from dataclasses import dataclass

ACTIONS = {
    "fk": "now an id column; fetch the row from its owner's API (or a local read model)",
    "o2o": "now a unique id column; fetch the row from its owner's API",
    "m2m": "now a JSON list of ids; keep it in step from the owner's events",
    "import": "not copied; call the owning service's API, or move the name into the plan",
    "import-time": "not copied and used at import time: the service will not start until "
                   "this is replaced",
    "annotation": "not copied; only type annotations use it (postponed by `from __future__ "
                  "import annotations`): use the service's own type",
    "local-import": "a function-local import of monolith code; replace it with an API call",
    "not-copied": "not copied; the scaffold writes its own",
}


@dataclass(frozen=True, order=True)
class Seam:
    """A reference the extracted code still has to the monolith."""

    file: str  # in the monolith, relative to the root's parent
    line: int
    kind: str  # a key of ACTIONS
    symbol: str  # the copied symbol holding the reference ("pkg.mod:Name" or "Model.field")
    target: str  # what it referred to
    written_to: str = ""  # the scaffold file carrying a comment about it

    @property
    def action(self) -> str:
        return ACTIONS[self.kind]


def render_seams(seams: list[Seam]) -> str:
    """One line per seam, sorted by place: ``file:line  kind  symbol -> target: what to do``."""
    if not seams:
        return "No seams left to cut: every reference moved with the service.\n"
    lines = [f"Seams left to cut ({len(seams)}):"]
    for seam in sorted(set(seams)):
        lines.append(f"  {seam.file}:{seam.line}  {seam.kind}  {seam.symbol} -> {seam.target}: "
                     f"{seam.action}")
    return "\n".join(lines) + "\n"
