"""Errors of the boundary proposal (part of the ``analysis`` tree).

    AnalysisError (analysis.errors)
     └── BoundaryError            a proposal cannot be made as asked
          └── PinError            a ``--pin`` names nothing in the graph, or a member twice

Findings (seams, shared writes) are results, never exceptions.
"""

from __future__ import annotations

from analysis.errors import AnalysisError


class BoundaryError(AnalysisError):
    """The proposal cannot be made with these options."""


class PinError(BoundaryError):
    """A pin matches no node, or pins one node to two services."""
