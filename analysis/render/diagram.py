"""Graph pictures: Graphviz DOT and Mermaid flowcharts of a ``DependencyGraph``.

Edge labels list the kinds with their weights; nodes are grouped by app.
"""

from __future__ import annotations

import re

from analysis.graph.model import DependencyGraph


def _label(graph: DependencyGraph, source: str, target: str) -> str:
    return ", ".join(f"{e.kind} {e.weight}" for e in graph.edges_between(source, target))


def _pairs(graph: DependencyGraph) -> list[tuple[str, str]]:
    return sorted({(e.source, e.target) for e in graph.edges()})


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_dot(graph: DependencyGraph) -> str:
    lines = [f"digraph {_dot_quote(graph.root)} {{", "  rankdir=LR;", "  node [shape=box];"]
    by_app: dict[str, list[str]] = {}
    for node in graph.nodes():
        by_app.setdefault(node.app, []).append(node.id)
    for index, (app, members) in enumerate(sorted(by_app.items())):
        if graph.granularity == "app":
            lines += [f"  {_dot_quote(m)};" for m in members]
            continue
        lines.append(f"  subgraph cluster_{index} {{")
        lines.append(f"    label={_dot_quote(app)};")
        lines += [f"    {_dot_quote(m)};" for m in members]
        lines.append("  }")
    for source, target in _pairs(graph):
        label = _label(graph, source, target)
        lines.append(f"  {_dot_quote(source)} -> {_dot_quote(target)} [label={_dot_quote(label)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_id(node_id: str, ids: dict[str, str]) -> str:
    if node_id not in ids:
        ids[node_id] = f"n{len(ids)}_" + re.sub(r"\W", "_", node_id)[-40:]
    return ids[node_id]


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;")


def render_mermaid(graph: DependencyGraph) -> str:
    ids: dict[str, str] = {}
    lines = ["flowchart LR"]
    by_app: dict[str, list[str]] = {}
    for node in graph.nodes():
        by_app.setdefault(node.app, []).append(node.id)
    for app, members in sorted(by_app.items()):
        if graph.granularity != "app":
            lines.append(f'  subgraph {_mermaid_id("app " + app, ids)}["{_mermaid_text(app)}"]')
        for member in members:
            lines.append(f'    {_mermaid_id(member, ids)}["{_mermaid_text(member)}"]')
        if graph.granularity != "app":
            lines.append("  end")
    for source, target in _pairs(graph):
        label = _mermaid_text(_label(graph, source, target))
        lines.append(f'  {_mermaid_id(source, ids)} -->|"{label}"| {_mermaid_id(target, ids)}')
    return "\n".join(lines) + "\n"
