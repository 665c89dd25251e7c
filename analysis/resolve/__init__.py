"""Resolution: all files' facts in, nodes + evidence records + URL patterns out.

This is the cross-file step (grimp keeps the same split between scanning and resolving):
extraction never looks beyond its file, resolution never parses.
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.facts import FileFacts
from analysis.records import AppRecord, EdgeRecord, NodeRecord, UrlPattern
from analysis.resolve.django import build_django_index
from analysis.resolve.edges import EdgeBuilder
from analysis.resolve.names import NameIndex, Target, absolute_module
from analysis.resolve.split import Offload, module_edges
from analysis.resolve.state import ResolveState, capture_state
from analysis.resolve.urls import UrlResolver

__all__ = [
    "NameIndex", "Resolution", "ResolveState", "Target", "absolute_module", "module_nodes",
    "resolve_facts",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Resolution:
    nodes: tuple[NodeRecord, ...]
    edges: tuple[EdgeRecord, ...]
    urls: tuple[UrlPattern, ...]
    apps: tuple[AppRecord, ...]
    models: dict[str, str]  # node id -> "label.Name"
    installed_apps: tuple[str, ...]
    installed_apps_computed: bool
    state: ResolveState  # what an incremental run starts from (``analysis.resolve.incremental``)


def resolve_facts(
    facts: dict[str, FileFacts], files: dict[str, str], root: str, offload: Offload | None = None
) -> Resolution:
    """Resolve every module's facts; ``files`` maps module -> contract-relative path.

    ``offload``: a way to run work in a child process, so that per-module evidence is built
    in two processes at once (``analysis.resolve.split``); the result is the same."""
    names = NameIndex(facts)
    django = build_django_index(facts, names, root)
    builder = EdgeBuilder(names, django, root)
    for module, file_facts in facts.items():
        for task in file_facts.tasks:
            builder.tasks.add(f"{module}:{task.name}")
    builder.index_serializers(facts)
    for module in sorted(facts):
        builder.collect_receivers(module, facts[module], files[module])
        builder.index_relations(module, facts[module])
    edges = module_edges(builder, sorted(facts), facts, files, offload)
    urls = UrlResolver(facts, names, files.__getitem__, django.root_urlconf)
    urls.run()
    edges.extend(urls.edges)
    views = {edge.target for edge in urls.edges if edge.detail != "include"}
    receivers = {r for listeners in builder.receivers_by_signal.values() for r in listeners}
    nodes: list[NodeRecord] = []
    for module, file_facts in facts.items():
        nodes.extend(module_nodes(module, file_facts, files[module], builder, views, receivers))
    installed: list[str] = []
    computed = False
    for _, settings in django.settings:
        installed.extend(settings.apps)
        computed = computed or settings.computed
    return Resolution(
        nodes=tuple(nodes),
        edges=tuple(edges),
        urls=tuple(urls.patterns),
        apps=tuple(sorted(django.apps.values(), key=lambda app: app.label)),
        models=dict(django.models),
        installed_apps=tuple(dict.fromkeys(installed)),
        installed_apps_computed=computed,
        state=capture_state(names, builder, views, files, root),
    )


def module_nodes(
    module: str,
    file_facts: FileFacts,
    file: str,
    builder: EdgeBuilder,
    views: set[str],
    receivers: set[str],
) -> list[NodeRecord]:
    """The nodes of one module: itself and its top-level classes and functions."""
    django = builder.django
    app = django.app_of(module, builder.root)
    module_tags = []
    if file_facts.settings:
        module_tags.append("settings")
    if file_facts.urls:
        module_tags.append("urls")
    if file_facts.is_package:
        module_tags.append("package")
    nodes = [NodeRecord(module, "module", module, app, file, 1, tuple(module_tags))]
    for symbol in file_facts.symbols:
        node_id = f"{module}:{symbol.name}"
        tags = []
        if node_id in django.models:
            tags.append("model")
            if node_id in django.abstract:
                tags.append("abstract")
        if node_id in builder.serializers:
            tags.append("serializer")
        if node_id in django.app_configs:
            tags.append("app_config")
        if node_id in views:
            tags.append("view")
        if node_id in builder.tasks:
            tags.append("task")
        if node_id in receivers:
            tags.append("receiver")
        nodes.append(NodeRecord(node_id, symbol.kind, module, app, file, symbol.line, tuple(tags)))
    return nodes
