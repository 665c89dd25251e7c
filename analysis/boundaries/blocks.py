"""URL blocks: the views routed under one URL namespace move as one.

The strangler proxy takes traffic over by URL prefix (``/api/accounts/`` -> the accounts
service). Views sharing a prefix split between two services could only be routed path by
path, and the URLconf is where a team wrote down which views form one area: so the views
under one URL word (``naming.url_word``) form a *block* that Louvain sees as one node and
refinement moves as a whole. A word covering more than half of the routed views (a
catch-all such as ``/app/...``) says nothing about domains and forms no block; pinned units
are never part of one.
"""

from __future__ import annotations

import networkx as nx


def url_blocks(url_words: dict[str, str], pinned: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """Unit -> the sorted members of its block (blocks of two or more units only)."""
    by_word: dict[str, list[str]] = {}
    for unit, word in sorted(url_words.items()):
        if unit not in pinned:
            by_word.setdefault(word, []).append(unit)
    routed = len(url_words)
    blocks: dict[str, tuple[str, ...]] = {}
    for members in by_word.values():
        if len(members) < 2 or 2 * len(members) > routed:
            continue
        for unit in members:
            blocks[unit] = tuple(members)
    return blocks


def louvain(
    graph: nx.Graph,
    blocks: dict[str, tuple[str, ...]],
    resolution: float,
    seed: int,
    restarts: int = 1,
) -> list[list[str]]:
    """Louvain communities of ``graph`` with every block contracted to one node (its
    first member); returned expanded and sorted.

    Louvain is a greedy, order-dependent heuristic for modularity: one seed can end in a
    worse local optimum (on the monolith, 2 seeds in 10 glue accounts to billing). So it
    runs from ``restarts`` consecutive seeds ``seed, seed+1, ...`` and keeps the partition
    of highest modularity (the first on a tie): a structural criterion, which makes the
    result far less dependent on the seed.
    """
    rep = {u: blocks[u][0] if u in blocks else u for u in graph}
    contracted = nx.Graph()
    contracted.add_nodes_from(sorted(set(rep.values())))
    for a, b, weight in sorted(graph.edges(data="weight"), key=lambda e: (e[0], e[1])):
        ra, rb = rep[a], rep[b]
        if ra == rb:
            continue
        if contracted.has_edge(ra, rb):
            contracted[ra][rb]["weight"] += weight
        else:
            contracted.add_edge(ra, rb, weight=weight)
    communities: list[set[str]] = []
    best = float("-inf")
    for attempt in range(seed, seed + max(1, restarts)):
        found = nx.community.louvain_communities(
            contracted, weight="weight", resolution=resolution, seed=attempt
        )
        quality = nx.community.modularity(contracted, found, resolution=resolution)
        if quality > best + 1e-12:
            communities, best = found, quality
    members: dict[str, list[str]] = {}
    for unit in graph:
        members.setdefault(rep[unit], []).append(unit)
    expanded = [sorted(u for r in community for u in members[r]) for community in communities]
    return sorted(expanded)
