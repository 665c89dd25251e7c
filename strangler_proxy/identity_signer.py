"""The proxy side of signed identity: resolve the caller at the monolith, sign, add the header.

For routes with ``identity = true``, a request forwarded to the service gets
``X-Strangler-Identity`` signed with the first key of ``$STRANGLER_IDENTITY_KEYS``
(``kid:secret,...``), or with the public demo keyring when ``[proxy] demo = true``. The
client's own ``X-Strangler-Identity`` never reaches any upstream (``headers`` drops it on
every route). The monolith is asked with one ``httpx.AsyncClient`` opened at lifespan
startup, without a cookie jar (credentials go per request), and answers are cached briefly
under a hash of the credentials.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx

from strangler_proxy.errors import ConfigError
from strangler_proxy.identity import (
    DEMO_KEYS,
    HEADER,
    IdentityCache,
    Keyring,
    credentials_of,
    resolve_identity,
    sign_identity,
)
from strangler_proxy.routes import RouteTable

__all__ = ["KEYS_ENV", "IdentitySigner", "keyring_for"]

KEYS_ENV = "STRANGLER_IDENTITY_KEYS"
HEADER_BYTES = HEADER.lower().encode("latin-1")
LOOKUP_TIMEOUT_S = 3.0


def keyring_for(table: RouteTable) -> Keyring | None:
    """The signing keys, or None when no route asks for identity; ``ConfigError`` if missing."""
    if not any(route.identity for route in table.routes):
        return None
    text = os.environ.get(KEYS_ENV, "").strip()
    if not text:
        if table.proxy.demo:
            return Keyring.parse(DEMO_KEYS)
        raise ConfigError(f"routes with identity = true need signing keys: set {KEYS_ENV}="
                          "kid:secret (16+ bytes), or [proxy] demo = true for the demo keyring")
    try:
        return Keyring.parse(text)
    except ValueError as exc:
        raise ConfigError(f"{KEYS_ENV}: {exc}") from None


class IdentitySigner:
    """Resolves and signs; ``start``/``stop`` in the app's lifespan."""

    def __init__(self, monolith_url: str, keyring: Keyring) -> None:
        self.monolith_url = monolith_url
        self.keyring = keyring
        self.cache = IdentityCache()
        self._client: httpx.AsyncClient | None = None

    async def start(self) -> None:
        refuse_all = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
        self._client = httpx.AsyncClient(base_url=self.monolith_url, cookies=refuse_all,
                                         timeout=LOOKUP_TIMEOUT_S, trust_env=False,
                                         follow_redirects=False)

    async def stop(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def header(self, raw: Iterable[tuple[bytes, bytes]]) -> tuple[bytes, bytes] | None:
        """The identity header for this caller, or None when anonymous.

        ``IdentityUnavailable`` when the monolith cannot say (the app answers 503).
        """
        if self._client is None:
            await self.start()
        assert self._client is not None
        identity = await resolve_identity(self._client, credentials_of(raw), cache=self.cache)
        if identity is None:
            return None
        return HEADER_BYTES, sign_identity(identity, self.keyring).encode("ascii")
