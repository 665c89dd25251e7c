"""Open the ``[state]`` store of a routes file: the diff store, the stage store, route stats.

``[state] store`` is a URL: ``sqlite:///strangler-state.db`` (relative to the routes file's
folder), ``sqlite:////abs/path.db`` or ``postgresql://...``. The default is
``strangler-state.db`` next to the routes file, so every worker, the admin listener and the
CLI of one deployment find the same store. The stores themselves are opened by
``state_factory.open_state`` (SQLite and PostgreSQL); this module only supplies the URL,
the folder and the ``[state]`` options.
"""

from __future__ import annotations

from pathlib import Path

from strangler_proxy.errors import ConfigError
from strangler_proxy.routes import RouteTable
from strangler_proxy.state_factory import StateStores, open_state

__all__ = ["DEFAULT_STORE", "Stores", "open_stores"]

DEFAULT_STORE = "sqlite:///strangler-state.db"
Stores = StateStores


def open_stores(table: RouteTable) -> StateStores:
    """Open (creating when needed) the stores for ``table``; ``ConfigError`` if impossible."""
    base = Path(table.source).resolve().parent if table.source else Path.cwd()
    url = table.state_store or DEFAULT_STORE
    if "://" not in url:
        url = "sqlite:///" + url  # a bare path in [state] store
    try:
        return open_state(url, base_dir=base, max_examples=table.state.examples_per_route,
                          max_example_bytes=table.state.example_max_bytes)
    except ValueError as exc:
        raise ConfigError(f"[state] store: {exc}") from None
