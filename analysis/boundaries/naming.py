"""Service names derived from content.

Rule: a pinned service keeps its pin name. Otherwise the service is named after the Django
app label that holds most of its models (ties: most members, then alphabetical); a service
whose models all live in an app shared with other services (a layered app such as ``core``)
is named after the first meaningful segment of the URL patterns its views serve
(``/api/catalog/titles/`` -> ``catalog``; ``api``/``v1``-like segments skipped), else after its
most central model (the one with the most affinity inside the service), lower-cased and
pluralised (``Title`` -> ``titles``). Without models, the
dominant app of its members. Clashes get ``_2``, ``_3``...
"""

from __future__ import annotations

import re
from collections import Counter

import networkx as nx

from analysis.boundaries.units import Units


def _identifier(text: str) -> str:
    name = re.sub(r"[^a-z0-9_]", "_", text.lower()).strip("_") or "service"
    return name if not name[0].isdigit() else f"s_{name}"


def _plural(word: str) -> str:
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word if word.endswith("s") else word + "s"


def name_services(
    groups: tuple[tuple[str, ...], ...],
    units: Units,
    affinity: nx.Graph,
    pinned: dict[str, str],
    url_words: dict[str, str],
) -> list[str]:
    """One name per group, in the groups' order."""
    app_owners: dict[str, set[int]] = {}
    for index, members in enumerate(groups):
        for unit in members:
            for label in units.models.get(unit, ()):
                app_owners.setdefault(label.partition(".")[0], set()).add(index)
    names: list[str] = []
    for index, members in enumerate(groups):
        pins = Counter(pinned[u] for u in members if u in pinned)
        if pins:
            base = max(sorted(pins), key=lambda n: pins[n])
        else:
            base = _derived(index, members, units, affinity, app_owners, url_words)
        name, n = _identifier(base), 2
        while name in names:
            name, n = f"{_identifier(base)}_{n}", n + 1
        names.append(name)
    return names


def _derived(
    index: int,
    members: tuple[str, ...],
    units: Units,
    affinity: nx.Graph,
    app_owners: dict[str, set[int]],
    url_words: dict[str, str],
) -> str:
    model_apps = Counter(
        label.partition(".")[0] for u in members for label in units.models.get(u, ())
    )
    if model_apps:
        app = max(sorted(model_apps), key=lambda a: model_apps[a])
        if len(app_owners.get(app, ())) <= 1:
            return app
        words = Counter(url_words[u] for u in members if u in url_words)
        if words:
            return max(sorted(words), key=lambda w: words[w])
        inside = set(members)
        central = max(
            sorted(u for u in members if u in units.models),
            key=lambda u: sum(
                d["weight"] for v, d in affinity[u].items() if v in inside
            ) if u in affinity else 0.0,
        )
        model = units.models[central][0].partition(".")[2]
        return _plural(model)
    apps = Counter(units.app[u] for u in members)
    return max(sorted(apps), key=lambda a: apps[a])


_SKIPPED_SEGMENTS = re.compile(r"^(api|v\d+|rest|internal|public|<.*>)$")


def url_word(pattern: str) -> str:
    """The first meaningful segment of a URL pattern ("" when none)."""
    for segment in pattern.strip("/").split("/"):
        if segment and not _SKIPPED_SEGMENTS.match(segment):
            return segment
    return ""
