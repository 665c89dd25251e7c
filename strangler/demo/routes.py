"""The demo's routes file: the catalog route at the current stage, admin and state in var/."""

from __future__ import annotations

from strangler.demo.config import DemoConfig

__all__ = ["render_routes"]

_TEMPLATE = """\
# Written by `python -m strangler.demo` at every start (edit freely while it runs: the proxy
# reloads it). Stage changes made with `strangler route ...` live in the state store and
# survive a restart; this file only gives the starting stage.
default = "monolith"

[upstreams.monolith]
url = "{monolith}"

[upstreams.catalog]
url = "{catalog}"
health_check = {{ path = "/healthz", interval = 5 }}

[[routes]]
name = "catalog"
path = "/api/catalog/"
methods = ["GET", "HEAD", "OPTIONS"]   # the monolith stays the writer
upstream = "catalog"
stage = "{stage}"
percent = {percent}
identity = true                        # sign the caller for the service (X-Strangler-Identity)
fallback = true

[routes.compare]
headers = ["content-type", "www-authenticate"]

[routes.gates]
min_compared = 20

[proxy]
demo = true                            # the public demo identity keyring: never in production

[admin]
listen = "{admin}"
token_env = "STRANGLER_ADMIN_TOKEN"

[state]
store = "sqlite:///strangler-state.db"  # next to this file
"""


def render_routes(config: DemoConfig) -> str:
    """The TOML text of the demo's routes file for these ports and this stage."""
    return _TEMPLATE.format(
        monolith=config.url(config.monolith_port).rstrip("/"),
        catalog=config.url(config.catalog_port).rstrip("/"),
        stage=config.stage,
        percent=10 if config.stage == "canary" else 0,
        admin=f"{config.host}:{config.admin_port}",
    )
