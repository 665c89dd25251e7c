"""The proxy routes file for a plan: every route in stage ``monolith``, one placeholder
upstream per proposed service. A pure string renderer (keys from ARCHITECTURE.md)."""

from __future__ import annotations

import json

from analysis.boundaries.model import Proposal

MONOLITH_URL = "http://127.0.0.1:8000"
FIRST_SERVICE_PORT = 8001


def _quote(text: str) -> str:
    return json.dumps(text)  # a TOML basic string is a JSON string for these characters


def render_routes_toml(proposal: Proposal, monolith_url: str = MONOLITH_URL) -> str:
    lines = [
        "# Written by `strangler plan --emit-routes`: every route still goes to the monolith.",
        'default = "monolith"',
        "",
        "[upstreams.monolith]",
        f"url = {_quote(monolith_url)}",
    ]
    for index, service in enumerate(proposal.services):
        lines += [
            "",
            f"# placeholder: where the extracted {service.name} service will listen",
            f"[upstreams.{service.name}]",
            f'url = "http://127.0.0.1:{FIRST_SERVICE_PORT + index}"',
        ]
    for service in proposal.services:
        for n, prefix in enumerate(service.url_prefixes, start=1):
            lines += [
                "",
                "[[routes]]",
                f"name = {_quote(f'{service.name}-{n}')}",
                f"path = {_quote(prefix)}",
                f"upstream = {_quote(service.name)}",
                'stage = "monolith"',
            ]
    return "\n".join(lines) + "\n"
