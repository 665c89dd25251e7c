"""What a comparison looks at and what it forgives: frozen config values."""

from __future__ import annotations

from dataclasses import dataclass, field

from strangler_proxy.compare.paths import PathGlob, any_match, compile_glob

DEFAULT_HEADERS: tuple[str, ...] = ("content-type",)
DEFAULT_MAX_DIFFERENCES = 50
DEFAULT_MAX_VALUE_CHARS = 200
_CACHE_LIMIT = 8192  # distinct paths remembered per rules value (then the cache restarts)


@dataclass(frozen=True, slots=True, kw_only=True)
class CompareRules:
    """How to compare a primary and a candidate response for one route.

    ``ignore`` and ``unordered`` are path globs (see :mod:`strangler_proxy.compare.paths`).
    Two numbers are equal when ``|a - b| <= max(abs_tolerance, rel_tolerance * max(|a|, |b|))``.
    ``headers`` are compared case-insensitively by name; ``Date`` is never compared and
    ``Set-Cookie`` is compared by cookie names only when the built-in normalisers are on.
    """

    ignore: tuple[PathGlob, ...] = ()
    unordered: tuple[PathGlob, ...] = ()
    abs_tolerance: float = 0.0
    rel_tolerance: float = 0.0
    headers: tuple[str, ...] = DEFAULT_HEADERS
    compare_status: bool = True
    builtin_normalizers: bool = True
    max_differences: int = DEFAULT_MAX_DIFFERENCES
    max_value_chars: int = DEFAULT_MAX_VALUE_CHARS
    # extra globs learned at run time (noise); kept apart so config stays as written
    learned_noise: tuple[PathGlob, ...] = field(default=())
    # path -> ignored? The same paths recur on every response of a route, and glob
    # matching is the walk's main cost; replace() gives a copy a fresh cache.
    _ignored: dict[str, bool] = field(default_factory=dict, init=False, repr=False,
                                      compare=False, hash=False)

    @classmethod
    def build(
        cls,
        *,
        ignore: tuple[str, ...] | list[str] = (),
        unordered: tuple[str, ...] | list[str] = (),
        headers: tuple[str, ...] | list[str] = DEFAULT_HEADERS,
        **options: object,
    ) -> CompareRules:
        """Build from glob strings; raises ``ValueError`` naming a glob that does not parse."""
        return cls(
            ignore=tuple(compile_glob(g) for g in ignore),
            unordered=tuple(compile_glob(g) for g in unordered),
            headers=tuple(h.lower() for h in headers),
            **options,  # type: ignore[arg-type]
        )

    def is_ignored(self, path: str) -> bool:
        cached = self._ignored.get(path)
        if cached is None:
            if len(self._ignored) >= _CACHE_LIMIT:
                self._ignored.clear()
            cached = any_match(self.ignore, path) or any_match(self.learned_noise, path)
            self._ignored[path] = cached
        return cached

    def is_unordered(self, path: str) -> bool:
        return any_match(self.unordered, path)

    def with_noise(self, globs: tuple[PathGlob, ...]) -> CompareRules:
        """A copy that also ignores ``globs`` (what a :class:`NoiseModel` learned)."""
        if not globs:
            return self
        return _replace(self, learned_noise=globs)


def _replace(rules: CompareRules, **changes: object) -> CompareRules:
    from dataclasses import replace

    return replace(rules, **changes)  # type: ignore[arg-type]
