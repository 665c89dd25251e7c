"""The reads other domains make of the catalog, and the backend the settings choose."""

from typing import Protocol

from django.conf import settings

from monolith.catalog_client.values import EpisodeInfo, GenreInfo, TitleInfo


class CatalogReader(Protocol):
    """Both backends answer these alike (the tests run the same cases against each)."""

    def get_title(self, title_id: int) -> TitleInfo | None:
        """A published title, or None (unknown or unpublished)."""

    def get_titles(self, title_ids: list[int]) -> dict[int, TitleInfo]:
        """The published ones among ``title_ids``, by id."""

    def list_titles(
        self, *, genre: str | None = None, kind: str | None = None, limit: int = 100
    ) -> list[TitleInfo]:
        """Published titles in the catalog's order (name, id), optionally of a genre/kind."""

    def get_episode(self, episode_id: int) -> EpisodeInfo | None:
        """An episode, or None."""

    def list_genres(self) -> list[GenreInfo]:
        """Every genre in the catalog's order (name, id)."""


def get_catalog() -> CatalogReader:
    """The backend named by ``REELBOX_CATALOG_BACKEND`` ("orm", the default, or "http")."""
    backend = getattr(settings, "REELBOX_CATALOG_BACKEND", "orm")
    if backend == "orm":
        from monolith.catalog_client.orm import OrmCatalog

        return OrmCatalog()
    if backend == "http":
        from monolith.catalog_client.http import HttpCatalog

        return HttpCatalog(
            settings.REELBOX_CATALOG_URL, timeout=getattr(settings, "REELBOX_CATALOG_TIMEOUT", 2.0)
        )
    raise ValueError(f"REELBOX_CATALOG_BACKEND is {backend!r}; use 'orm' or 'http'")
