"""Noise learning (Diffy's idea): what differs between two primary answers is noise.

Send the same request to the primary twice; every path on which the two answers
disagree cannot be a regression of the candidate, so it is ignored for that route
from then on. Paths are generalised (``results[3].ts`` -> ``results[*].ts``) and
the set is bounded: past ``max_paths`` the model stops learning and says so
(``saturated``), because a route where everything is noise needs rules, not more noise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from strangler_proxy.compare.compare import compare
from strangler_proxy.compare.paths import PathGlob, compile_glob, generalise
from strangler_proxy.compare.rules import CompareRules
from strangler_proxy.snapshots import ResponseSnapshot

DEFAULT_MAX_PATHS = 100


@dataclass
class NoiseModel:
    """The noise learned for one route; grows only, up to ``max_paths``."""

    max_paths: int = DEFAULT_MAX_PATHS
    observations: int = 0
    saturated: bool = False
    _counts: dict[str, int] = field(default_factory=dict)
    _globs: tuple[PathGlob, ...] = ()
    _applied: tuple[CompareRules, int, CompareRules] | None = None  # (base, globs, result)

    def learn(self, first: ResponseSnapshot, second: ResponseSnapshot,
              rules: CompareRules) -> tuple[str, ...]:
        """Record the paths on which two primary answers differ; returns the new ones."""
        self.observations += 1
        # status and headers differing between two primaries are noise as well
        result = compare(first, second, rules.with_noise(self._globs))
        added: list[str] = []
        for difference in result.differences:
            path = generalise(difference.path)
            if path in self._counts:
                self._counts[path] += 1
                continue
            if len(self._counts) >= self.max_paths:
                self.saturated = True
                continue
            self._counts[path] = 1
            added.append(path)
        if added:
            self._globs = self._globs + tuple(compile_glob(p) for p in added)
        return tuple(added)

    @property
    def globs(self) -> tuple[PathGlob, ...]:
        return self._globs

    def paths(self) -> dict[str, int]:
        """Noise paths and how often each was seen differing."""
        return dict(self._counts)

    def apply(self, rules: CompareRules) -> CompareRules:
        """``rules`` plus everything learned so far (the same value until more is learned,
        so its path cache keeps working)."""
        cached = self._applied
        if cached is not None and cached[0] is rules and cached[1] == len(self._globs):
            return cached[2]
        result = rules.with_noise(self._globs)
        self._applied = (rules, len(self._globs), result)
        return result


@dataclass
class NoiseModels:
    """One :class:`NoiseModel` per route, created on first use."""

    max_paths: int = DEFAULT_MAX_PATHS
    _models: dict[str, NoiseModel] = field(default_factory=dict)

    def for_route(self, route: str) -> NoiseModel:
        model = self._models.get(route)
        if model is None:
            model = self._models[route] = NoiseModel(max_paths=self.max_paths)
        return model

    def routes(self) -> tuple[str, ...]:
        return tuple(sorted(self._models))
