"""Structural diff of two decoded JSON values under :class:`CompareRules`.

Walks both trees in step; each leaf or shape difference becomes a :class:`Difference`
with a path such as ``results[3].title``. Ignored paths are skipped (and counted),
numbers compare within tolerance, and arrays under an ``unordered`` glob are matched
as multisets: equal elements pair off first, the leftovers pair in order and are
diffed in depth, so one changed field in a reordered list reports that field only.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

from strangler_proxy.compare.paths import ROOT, join_index, join_key
from strangler_proxy.compare.result import Difference, DifferenceKind, show
from strangler_proxy.compare.rules import CompareRules


@dataclass
class _Walk:
    rules: CompareRules
    found: list[Difference] = field(default_factory=list)
    ignored: int = 0
    truncated: bool = False

    def add(self, path: str, kind: DifferenceKind, primary: object, candidate: object,
            present: tuple[bool, bool] = (True, True)) -> None:
        if self.rules.is_ignored(path):
            self.ignored += 1
            return
        if len(self.found) >= self.rules.max_differences:
            self.truncated = True
            return
        limit = self.rules.max_value_chars
        self.found.append(Difference(
            path, kind,
            show(primary, limit) if present[0] else None,
            show(candidate, limit) if present[1] else None,
        ))


def diff_json(primary: object, candidate: object, rules: CompareRules
              ) -> tuple[list[Difference], int, bool]:
    """Return ``(differences, ignored_count, truncated)`` between two JSON values."""
    walk = _Walk(rules)
    _diff(walk, ROOT, primary, candidate)
    return walk.found, walk.ignored, walk.truncated


def _diff(walk: _Walk, path: str, a: object, b: object) -> None:
    if walk.rules.is_ignored(path):
        if not _equal_leaf(walk.rules, a, b):
            walk.ignored += 1
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for key in a:
            sub = join_key(path, key)
            if key in b:
                _diff(walk, sub, a[key], b[key])
            else:
                walk.add(sub, "missing", a[key], None, (True, False))
        for key in b:
            if key not in a:
                walk.add(join_key(path, key), "added", None, b[key], (False, True))
    elif isinstance(a, list) and isinstance(b, list):
        if walk.rules.is_unordered(path):
            _diff_unordered(walk, path, a, b)
        else:
            _diff_pairs(walk, path, list(enumerate(a)), list(enumerate(b)))
    elif _is_number(a) and _is_number(b):
        if not _close(walk.rules, a, b):  # type: ignore[arg-type]
            walk.add(path, "changed", a, b)
    elif type(a) is not type(b):
        walk.add(path, "type", a, b)
    elif a != b:
        walk.add(path, "changed", a, b)


def _diff_pairs(walk: _Walk, path: str, a: list[tuple[int, object]],
                b: list[tuple[int, object]]) -> None:
    for (index, left), (_, right) in zip(a, b):
        _diff(walk, join_index(path, index), left, right)
    for index, left in a[len(b):]:
        walk.add(join_index(path, index), "missing", left, None, (True, False))
    for index, right in b[len(a):]:
        walk.add(join_index(path, index), "added", None, right, (False, True))


def _diff_unordered(walk: _Walk, path: str, a: list[object], b: list[object]) -> None:
    rules = walk.rules
    # ignored fields must not stop two elements from pairing off, so keys leave them out
    key_a = [_canonical(_pruned(rules, join_index(path, i), item)) for i, item in enumerate(a)]
    key_b = [_canonical(_pruned(rules, join_index(path, i), item)) for i, item in enumerate(b)]
    pending: dict[str, list[int]] = {}
    for index, key in enumerate(key_b):
        pending.setdefault(key, []).append(index)
    left: list[tuple[int, object]] = []
    for index, key in enumerate(key_a):
        bucket = pending.get(key)
        if bucket:
            bucket.pop(0)
        else:
            left.append((index, a[index]))
    right = [(i, b[i]) for indices in pending.values() for i in indices]
    # leftovers pair in a stable order so one changed field is diffed in depth
    left.sort(key=lambda pair: key_a[pair[0]])
    right.sort(key=lambda pair: key_b[pair[0]])
    for (index, item), (_, other) in zip(left, right):
        _diff(walk, join_index(path, index), item, other)
    for index, item in left[len(right):]:
        walk.add(join_index(path, index), "missing", item, None, (True, False))
    for index, item in right[len(left):]:
        walk.add(join_index(path, index), "added", None, item, (False, True))


def _pruned(rules: CompareRules, path: str, value: object) -> object:
    if isinstance(value, dict):
        return {k: _pruned(rules, join_key(path, k), v) for k, v in value.items()
                if not rules.is_ignored(join_key(path, k))}
    if isinstance(value, list):
        return [_pruned(rules, join_index(path, i), v) for i, v in enumerate(value)]
    return value


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _close(rules: CompareRules, a: float, b: float) -> bool:
    if a == b:
        return True
    if math.isnan(a) or math.isnan(b):
        return False
    return abs(a - b) <= max(rules.abs_tolerance, rules.rel_tolerance * max(abs(a), abs(b)))


def _equal_leaf(rules: CompareRules, a: object, b: object) -> bool:
    if _is_number(a) and _is_number(b):
        return _close(rules, a, b)  # type: ignore[arg-type]
    return a == b
