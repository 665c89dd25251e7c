"""The analysis JSON contract (schema_version 1) as a plain, fully sorted dict."""

from __future__ import annotations

from analysis.graph.model import DependencyGraph

SCHEMA_VERSION = 1


def contract_dict(graph: DependencyGraph, **extra: object) -> dict[str, object]:
    nodes = [
        {
            "id": node.id,
            "kind": node.kind,
            "module": node.module,
            "app": node.app,
            "file": node.file,
            "line": node.line,
            "tags": list(node.tags),
        }
        for node in graph.nodes()
    ]
    edges = [
        {
            "source": edge.source,
            "target": edge.target,
            "kind": edge.kind,
            "weight": edge.weight,
            "locations": [{"file": loc.file, "line": loc.line} for loc in edge.locations],
            "details": list(edge.details),
        }
        for edge in graph.edges()
    ]
    result: dict[str, object] = {
        "schema_version": SCHEMA_VERSION,
        "root": graph.root,
        "granularity": graph.granularity,
        "nodes": nodes,
        "edges": edges,
        "services": [],
        "seams": [],
        "metrics": {},
        "skipped": [],
    }
    result.update(extra)
    return result
