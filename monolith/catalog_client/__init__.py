"""The catalog as the other domains may read it: an anti-corruption facade over two backends.

::

    from monolith.catalog_client import get_catalog

    title = get_catalog().get_title(42)      # TitleInfo | None (published titles only)
    title.min_plan_tier, title.genres        # plain frozen values, never model instances

``REELBOX_CATALOG_BACKEND = "orm"`` reads the monolith's own tables (the legacy behaviour);
``"http"`` asks the extracted service at ``REELBOX_CATALOG_URL``. Switching back is a setting.
"""

from monolith.catalog_client.errors import CatalogError, CatalogUnavailable
from monolith.catalog_client.facade import CatalogReader, get_catalog
from monolith.catalog_client.values import EpisodeInfo, GenreInfo, TitleInfo

__all__ = [
    "CatalogError",
    "CatalogReader",
    "CatalogUnavailable",
    "EpisodeInfo",
    "GenreInfo",
    "TitleInfo",
    "get_catalog",
]
