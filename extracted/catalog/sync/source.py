"""The monolith as a data source: its outbox and export API over httpx, with retries."""

import time
from typing import Any, Protocol

import httpx

from extracted.catalog.sync.errors import SourceRejected, SourceUnavailable

DEFAULT_TIMEOUT = 10.0
DEFAULT_RETRIES = 3
RETRY_BACKOFF = 0.2  # seconds, doubled per attempt


class Source(Protocol):
    """What backfill and sync read; ``MonolithSource`` (API) and ``SqliteSource`` (file)."""

    def export_page(self, aggregate: str, *, after_id: int, limit: int) -> dict[str, Any]:
        """A keyset page of full rows: ``rows``, ``has_more``, ``newest_sequence``."""

    def events(self, *, after: int, limit: int) -> dict[str, Any]:
        """Outbox events after a sequence: ``events``, ``newest_sequence``, ``oldest_unread_at``."""


class MonolithSource:
    """Reads ``/api/outbox/`` of the monolith at ``base_url`` with the service's bearer token."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str = "",
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"accept": "application/json"}
        if token:
            headers["authorization"] = f"Bearer {token}"
        self.retries = retries
        self._client = httpx.Client(
            base_url=base_url, headers=headers, timeout=timeout, transport=transport
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "MonolithSource":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def export_page(self, aggregate: str, *, after_id: int, limit: int) -> dict[str, Any]:
        """Rows of ``aggregate`` with id > ``after_id``: ``rows``, ``has_more``, ``newest_sequence``."""
        params = {"after_id": after_id, "limit": limit}
        return self._get(f"/api/outbox/export/{aggregate}/", params)

    def events(self, *, after: int, limit: int) -> dict[str, Any]:
        """Events with sequence > ``after``: ``events``, ``newest_sequence``, ``oldest_unread_at``."""
        return self._get("/api/outbox/events/", {"after": after, "limit": limit})

    def _get(self, path: str, params: dict[str, int]) -> dict[str, Any]:
        # GETs are idempotent: retry transport failures and 5xx with a short backoff.
        failure = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(RETRY_BACKOFF * 2 ** (attempt - 1))
            try:
                response = self._client.get(path, params=params)
            except httpx.TransportError as exc:
                failure = f"{exc.__class__.__name__} ({exc})"
                continue
            if response.status_code in (401, 403):
                raise SourceRejected(
                    f"the monolith refused {path} ({response.status_code}): set "
                    "CATALOG_OUTBOX_TOKEN to the monolith's REELBOX_OUTBOX_TOKEN"
                )
            if response.status_code >= 500:
                failure = f"HTTP {response.status_code}"
                continue
            if response.status_code != 200:
                raise SourceUnavailable(f"the monolith answered {path} with {response.status_code}")
            return response.json()
        raise SourceUnavailable(
            f"the monolith at {self._client.base_url} did not answer {path}: {failure}"
        )
