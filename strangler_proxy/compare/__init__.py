"""Response comparison: pure functions over (status, headers, body)."""

from strangler_proxy.compare.compare import compare, decoded_body
from strangler_proxy.compare.noise import NoiseModel, NoiseModels
from strangler_proxy.compare.paths import PathGlob, compile_glob, generalise
from strangler_proxy.compare.result import Comparison, Difference
from strangler_proxy.compare.rules import CompareRules

__all__ = [
    "CompareRules",
    "Comparison",
    "Difference",
    "NoiseModel",
    "NoiseModels",
    "PathGlob",
    "compare",
    "compile_glob",
    "decoded_body",
    "generalise",
]
