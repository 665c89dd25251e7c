"""Small routes files covering every stage, match kind, rewrite, condition and option."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from strangler_proxy.export.model import ExportModel, build_model
from strangler_proxy.policies import parse_route_policy
from strangler_proxy.routes_file import parse_table

__all__ = ["SAMPLES", "sample_model", "write_sample"]

_UPSTREAMS = """
default = "monolith"
[upstreams.monolith]
url = "http://127.0.0.1:9000"
[upstreams.catalog]
url = "http://127.0.0.1:9001"
retries = 2
[upstreams.accounts]
url = "http://localhost:9002"
read_timeout = 2.5
health_check = { path = "/healthz", interval = 5.0 }
circuit = { failures = 3, cooldown = 7.0 }
"""

SAMPLES: dict[str, str] = {
    "all_stages": _UPSTREAMS + """
[[routes]]
name = "legacy"
path = "/api/legacy/"
upstream = "catalog"
stage = "monolith"

[[routes]]
name = "titles"
pattern = "/api/titles/{id}/reviews/"
upstream = "catalog"
stage = "shadow"

[[routes]]
name = "catalog"
path = "/api/catalog"
upstream = "catalog"
stage = "canary"
percent = 25
sticky = "header:X-User"
strip_prefix = "/api/catalog"
add_prefix = "/v2"

[[routes]]
name = "accounts.me"
exact = "/api/accounts/me"
upstream = "accounts"
stage = "service"
fallback = true
""",
    "conditions": _UPSTREAMS + """
[[routes]]
name = "reads"
path = "/api/catalog/"
methods = ["GET", "HEAD"]
upstream = "catalog"
stage = "service"

[[routes]]
name = "tenant"
path = "/api/catalog/"
headers = { "x-tenant" = "acme \\"quoted\\"" }
hosts = ["shop.example", "www.shop.example"]
upstream = "accounts"
stage = "canary"
percent = 50
sticky = "client"

[[routes]]
name = "root"
path = "/"
upstream = "catalog"
stage = "canary"
percent = 40
sticky = "cookie:my-session"
""",
    "proxy_settings": _UPSTREAMS + """
[proxy]
trusted_proxies = ["10.0.0.0/8"]
preserve_host = false
max_body_bytes = 1048576

[[routes]]
name = "catalog"
path = "/api/catalog/"
upstream = "catalog"
stage = "canary"
percent = 10

[[routes]]
name = "back"
path = "/api/back/"
upstream = "catalog"
stage = "service"
add_prefix = "/internal"
""",
}


def sample_model(name: str, policies: dict[str, dict[str, Any]] | None = None) -> ExportModel:
    """The sample's model with route policy keys (shadow, canary, gates...) added.

    The policy keys are parsed by the proxy's own ``parse_route_policy``; they are passed
    here rather than written into the file so these tests do not depend on the loader
    accepting them yet.
    """
    table = parse_table(SAMPLES[name], f"{name}.toml")
    parsed = {}
    for route, keys in (policies or {}).items():
        policy, errors = parse_route_policy(keys)
        assert errors == [], errors
        parsed[route] = policy
    return build_model(table, parsed)


def write_sample(directory: Path, name: str) -> Path:
    path = directory / f"{name}.toml"
    path.write_text(SAMPLES[name], encoding="utf-8")
    return path
