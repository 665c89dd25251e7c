"""Proposed service boundaries: clustering of the dependency graph into domain services.

``propose(graph, models, urls, BoundaryOptions(...)) -> Proposal``; see docs/boundaries.md.
"""

from analysis.boundaries.agreement import adjusted_rand_index, mojo, mojofm
from analysis.boundaries.errors import BoundaryError, PinError
from analysis.boundaries.model import Proposal, Service
from analysis.boundaries.options import DEFAULT_KIND_WEIGHTS, BoundaryOptions
from analysis.boundaries.propose import KERNEL_NAME, propose

__all__ = [
    "DEFAULT_KIND_WEIGHTS",
    "KERNEL_NAME",
    "BoundaryError",
    "BoundaryOptions",
    "PinError",
    "Proposal",
    "Service",
    "adjusted_rand_index",
    "mojo",
    "mojofm",
    "propose",
]
