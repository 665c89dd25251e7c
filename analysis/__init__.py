"""Static analysis of a Django codebase: facts per file -> a typed dependency graph.

The analysed code is only ever read, never imported or run. Flow (one way):
``extract`` (ast visitors, one file in, facts out) -> ``resolve`` (names across files) ->
``graph`` (networkx behind ``DependencyGraph``'s verbs) -> ``render`` (pure strings).
See docs/analysis.md.
"""

from analysis.errors import AnalysisError, InvalidRootError
from analysis.graph.model import DependencyGraph, Edge
from analysis.pipeline import AnalysisOptions, AnalysisResult, analyze

__all__ = [
    "AnalysisError",
    "AnalysisOptions",
    "AnalysisResult",
    "DependencyGraph",
    "Edge",
    "InvalidRootError",
    "analyze",
]
