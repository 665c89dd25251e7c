"""Agreement of two partitions: MoJoFM (Wen & Tzerpos 2004) and the adjusted Rand index.

A partition is a mapping object -> cluster label; only objects present in both count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from math import comb

import networkx as nx


def _common(a: Mapping[str, Hashable], b: Mapping[str, Hashable]) -> list[str]:
    return sorted(k for k in a if k in b)


def mojo(a: Mapping[str, Hashable], b: Mapping[str, Hashable]) -> int:
    """mno(A, B): the fewest Move and Join operations turning partition A into B.

    Each cluster of A is tagged with a group of B it shares most objects with (a maximum
    bipartite matching picks among ties so that as many groups as possible are used);
    moves = objects outside their cluster's tag, joins = clusters - groups used.
    """
    clusters: dict[Hashable, Counter[Hashable]] = {}
    for key in _common(a, b):
        clusters.setdefault(a[key], Counter())[b[key]] += 1
    moves = 0
    ties = nx.Graph()
    for cluster, counts in clusters.items():
        best = max(counts.values())
        moves += sum(counts.values()) - best
        ties.add_node(("a", cluster))
        for group, overlap in counts.items():
            if overlap == best:
                ties.add_edge(("a", cluster), ("b", group))
    left = {node for node in ties if node[0] == "a"}
    matching = nx.bipartite.hopcroft_karp_matching(ties, top_nodes=left) if left else {}
    matched = sum(1 for node in matching if node[0] == "a")
    return moves + len(clusters) - matched


def mojofm(a: Mapping[str, Hashable], b: Mapping[str, Hashable]) -> float:
    """MoJoFM(A, B) = (1 - mno(A, B) / max over all A' of mno(A', B)) x 100.

    The maximum is n - g, where g counts B's groups by the rule of the original tool:
    walking B's group sizes in ascending order, g grows by one whenever g < size.
    """
    keys = _common(a, b)
    g = 0
    for size in sorted(Counter(b[k] for k in keys).values()):
        if g < size:
            g += 1
    worst = len(keys) - g
    if worst == 0:
        return 100.0
    return 100.0 * (1 - mojo(a, b) / worst)


def adjusted_rand_index(a: Mapping[str, Hashable], b: Mapping[str, Hashable]) -> float:
    """Hubert & Arabie's ARI: 1 for identical partitions, about 0 for random ones."""
    keys = _common(a, b)
    n = len(keys)
    if n < 2:
        return 1.0
    pairs = sum(comb(v, 2) for v in Counter((a[k], b[k]) for k in keys).values())
    sum_a = sum(comb(v, 2) for v in Counter(a[k] for k in keys).values())
    sum_b = sum(comb(v, 2) for v in Counter(b[k] for k in keys).values())
    expected = sum_a * sum_b / comb(n, 2)
    maximum = (sum_a + sum_b) / 2
    if maximum == expected:
        return 1.0
    return (pairs - expected) / (maximum - expected)
