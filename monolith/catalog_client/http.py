"""The service backend: the extracted catalog's public API over httpx.

Every call is a GET, so every call may be retried: transport errors, timeouts and 5xx answers
are tried again with a short backoff, then reported as :class:`CatalogUnavailable`.
"""

import time
from typing import Any

import httpx

from monolith.catalog_client.errors import CatalogUnavailable
from monolith.catalog_client.values import EpisodeInfo, GenreInfo, TitleInfo

DEFAULT_TIMEOUT = 2.0
DEFAULT_RETRIES = 2
RETRY_BACKOFF = 0.05  # seconds, doubled per attempt
MAX_PAGE_SIZE = 100  # the API's cap


class HttpCatalog:
    """Reads ``/api/catalog/`` of the service at ``base_url``."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.retries = retries
        self._client = httpx.Client(
            base_url=base_url.rstrip("/") + "/api/catalog/",
            timeout=timeout,
            headers={"accept": "application/json"},
            transport=transport,
        )

    def close(self) -> None:
        self._client.close()

    def _get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """The JSON body, or None on 404."""
        failure = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(RETRY_BACKOFF * 2 ** (attempt - 1))
            try:
                response = self._client.get(path, params=params)
            except httpx.TransportError as exc:  # timeouts included
                failure = exc.__class__.__name__
                continue
            if response.status_code >= 500:
                failure = f"HTTP {response.status_code}"
                continue
            if response.status_code == 404:
                return None
            if response.status_code != 200:
                raise CatalogUnavailable(f"catalog GET {path} answered {response.status_code}")
            try:
                return response.json()
            except ValueError:
                raise CatalogUnavailable(f"catalog GET {path} answered a non-JSON body") from None
        raise CatalogUnavailable(
            f"catalog GET {path} failed after {self.retries + 1} attempts: {failure}"
        )

    def _pages(self, path: str, params: dict[str, Any], limit: int) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        page = 1
        while len(rows) < limit:
            body = self._get(path, {**params, "page": page, "page_size": MAX_PAGE_SIZE})
            if body is None:
                break
            rows += body["results"]
            if not body.get("next"):
                break
            page += 1
        return rows[:limit]

    def get_title(self, title_id: int) -> TitleInfo | None:
        body = self._get(f"titles/{int(title_id)}/")
        return None if body is None else TitleInfo.from_api(body)

    def get_titles(self, title_ids: list[int]) -> dict[int, TitleInfo]:
        # The API has no id filter; one GET per title keeps to its contract.
        found = (self.get_title(title_id) for title_id in dict.fromkeys(title_ids))
        return {title.id: title for title in found if title is not None}

    def list_titles(
        self, *, genre: str | None = None, kind: str | None = None, limit: int = 100
    ) -> list[TitleInfo]:
        params = {key: value for key, value in (("genre", genre), ("kind", kind)) if value}
        return [TitleInfo.from_api(row) for row in self._pages("titles/", params, limit)]

    def get_episode(self, episode_id: int) -> EpisodeInfo | None:
        body = self._get(f"episodes/{int(episode_id)}/")
        return None if body is None else EpisodeInfo.from_api(body)

    def list_genres(self) -> list[GenreInfo]:
        rows = self._pages("genres/", {}, limit=10_000)
        return [GenreInfo(id=int(r["id"]), name=r["name"], slug=r["slug"]) for r in rows]
