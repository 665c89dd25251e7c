"""YAML documents with a comment header, byte-for-byte stable for the same input."""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["dump_yaml"]


class _Dumper(yaml.SafeDumper):
    """Block style, no aliases (a repeated dict is written out again, never as ``*id001``)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_yaml(documents: list[Any], header: list[str]) -> str:
    """``# header`` lines, then each document (``---`` between them); keys keep build order."""
    lines = [f"# {line}".rstrip() for line in header]
    body = yaml.dump_all(documents, Dumper=_Dumper, sort_keys=False, default_flow_style=False,
                         allow_unicode=True, width=100, explicit_start=len(documents) > 1)
    return "\n".join(lines) + "\n" + body
