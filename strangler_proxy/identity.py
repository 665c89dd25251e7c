"""Signed identity for extracted services: the proxy turns a monolith session into a header.

The value of ``X-Strangler-Identity`` is ``<kid>.<payload>.<signature>``:

* ``kid`` names the key in a :class:`Keyring` (rotation: verifiers learn the new key first,
  then the signer switches, then the old key is dropped);
* ``payload`` is base64url (no padding) of compact JSON ``{sub, username, is_staff, iat, exp}``;
* ``signature`` is base64url HMAC-SHA256 over ``<kid>.<payload>`` with that key.

A service trusts nothing else about the caller: no signature, a bad one, an unknown key or an
expired payload means anonymous. ::

    keyring = Keyring.parse("k1:long-random-secret")
    value = sign_identity(Identity(sub=7, username="ana", is_staff=False), keyring)
    verify_identity(value, keyring).username            # -> "ana"

Resolution (wired into the proxy by its app, not here): for each request to an extracted
service the proxy strips any client-supplied identity header, calls :func:`resolve_identity`
with the client's ``Cookie``/``Authorization`` (the monolith answers ``GET /api/accounts/me/``),
and, for a signed-in user, adds ``X-Strangler-Identity: sign_identity(identity, keyring)``.
Answers are cached briefly under a SHA-256 of the credentials, never the credentials themselves.

Errors (defined in ``strangler_proxy.errors``, re-exported here)::

    IdentityError
    ├── InvalidIdentity       the value is malformed, tampered, expired or of an unknown key
    └── IdentityUnavailable   the monolith could not say who the caller is (timeout, 5xx)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import httpx

from strangler_proxy.errors import IdentityError, IdentityUnavailable, InvalidIdentity

__all__ = [
    "DEMO_KEYS",
    "HEADER",
    "Identity",
    "IdentityCache",
    "IdentityError",
    "IdentityUnavailable",
    "InvalidIdentity",
    "Keyring",
    "credentials_of",
    "resolve_identity",
    "sign_identity",
    "strip_identity",
    "verify_identity",
]

HEADER = "X-Strangler-Identity"
# The development keyring (``Keyring.parse(DEMO_KEYS)``); the catalog service accepts it under
# DJANGO_DEMO=1 only. Real deployments set STRANGLER_IDENTITY_KEYS on proxy and services.
DEMO_KEYS = "demo:strangler-demo-identity-key-never-use-in-production"
DEFAULT_TTL = 60  # seconds a signed value stays valid
DEFAULT_LEEWAY = 5  # seconds of clock skew tolerated between proxy and service
DEFAULT_CACHE_SECONDS = 10.0
DEFAULT_ME_PATH = "/api/accounts/me/"
# Only these request headers identify a caller to the monolith.
CREDENTIAL_HEADERS = ("authorization", "cookie")


@dataclass(frozen=True, slots=True, kw_only=True)
class Identity:
    """Who the caller is, as the monolith said."""

    sub: int
    username: str
    is_staff: bool = False


@dataclass(frozen=True, slots=True)
class Keyring:
    """Named HMAC keys; the first one signs, all of them verify."""

    keys: tuple[tuple[str, bytes], ...]

    def __post_init__(self) -> None:
        if not self.keys:
            raise ValueError("a keyring needs at least one key")
        for kid, secret in self.keys:
            if not kid or "." in kid or ":" in kid:
                raise ValueError(f"key id {kid!r} must be non-empty without '.' or ':'")
            if len(secret) < 16:
                raise ValueError(f"key {kid!r} is shorter than 16 bytes")

    @classmethod
    def parse(cls, text: str) -> Keyring:
        """``"k2:secret2,k1:secret1"`` (the format of ``STRANGLER_IDENTITY_KEYS``)."""
        keys = []
        for item in text.split(","):
            kid, sep, secret = item.strip().partition(":")
            if not sep:
                raise ValueError(f"identity key {kid!r} lacks ':secret' (format kid:secret,...)")
            keys.append((kid, secret.encode()))
        return cls(tuple(keys))

    @property
    def signing_kid(self) -> str:
        return self.keys[0][0]

    def secret(self, kid: str) -> bytes | None:
        return next((secret for name, secret in self.keys if name == kid), None)


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, signed: str) -> str:
    return _b64encode(hmac.new(secret, signed.encode("ascii"), hashlib.sha256).digest())


def sign_identity(
    identity: Identity, keyring: Keyring, *, now: float | None = None, ttl: int = DEFAULT_TTL
) -> str:
    """The header value for ``identity``, valid for ``ttl`` seconds from ``now``."""
    issued = int(time.time() if now is None else now)
    payload = {
        "sub": identity.sub,
        "username": identity.username,
        "is_staff": identity.is_staff,
        "iat": issued,
        "exp": issued + ttl,
    }
    body = _b64encode(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    kid = keyring.signing_kid
    signed = f"{kid}.{body}"
    return f"{signed}.{_mac(keyring.keys[0][1], signed)}"


def verify_identity(
    value: str, keyring: Keyring, *, now: float | None = None, leeway: int = DEFAULT_LEEWAY
) -> Identity:
    """The identity in ``value``; :class:`InvalidIdentity` unless signed, known and fresh."""
    parts = value.strip().split(".")
    if len(parts) != 3:
        raise InvalidIdentity("malformed identity: expected kid.payload.signature")
    kid, body, signature = parts
    secret = keyring.secret(kid)
    if secret is None:
        raise InvalidIdentity(f"unknown identity key id {kid!r}")
    if not hmac.compare_digest(_mac(secret, f"{kid}.{body}"), signature):
        raise InvalidIdentity("identity signature does not match")
    try:
        payload = json.loads(_b64decode(body))
        identity = Identity(
            sub=int(payload["sub"]),
            username=str(payload["username"]),
            is_staff=payload["is_staff"] is True,
        )
        issued, expires = int(payload["iat"]), int(payload["exp"])
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidIdentity(f"identity payload unreadable: {exc.__class__.__name__}") from None
    moment = time.time() if now is None else now
    if moment > expires + leeway:
        raise InvalidIdentity("identity expired")
    if issued > moment + leeway:
        raise InvalidIdentity("identity issued in the future")
    return identity


def strip_identity(headers: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """ASGI headers without any client-supplied identity (only the proxy may set it)."""
    name = HEADER.lower().encode("latin-1")
    return [(key, value) for key, value in headers if key.lower() != name]


def credentials_of(headers: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    """The ``Authorization``/``Cookie`` values of ASGI request headers (cookies joined)."""
    found: dict[str, list[str]] = {}
    for key, value in headers:
        name = key.decode("latin-1").lower()
        if name in CREDENTIAL_HEADERS:
            found.setdefault(name, []).append(value.decode("latin-1"))
    separator = {"cookie": "; ", "authorization": ", "}
    return {name: separator[name].join(values) for name, values in found.items()}


class IdentityCache:
    """Recent answers of the monolith keyed by a hash of the credentials (bounded, LRU)."""

    def __init__(self, *, seconds: float = DEFAULT_CACHE_SECONDS, max_entries: int = 10_000):
        self.seconds = seconds
        self.max_entries = max_entries
        self._entries: OrderedDict[str, tuple[float, Identity | None]] = OrderedDict()

    @staticmethod
    def key(credentials: Mapping[str, str]) -> str:
        material = "\n".join(f"{name}={credentials[name]}" for name in sorted(credentials))
        return hashlib.sha256(material.encode("utf-8")).hexdigest()

    def get(self, key: str, now: float) -> tuple[bool, Identity | None]:
        entry = self._entries.get(key)
        if entry is None or entry[0] <= now:
            self._entries.pop(key, None)
            return False, None
        self._entries.move_to_end(key)
        return True, entry[1]

    def put(self, key: str, identity: Identity | None, now: float) -> None:
        self._entries[key] = (now + self.seconds, identity)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)


async def resolve_identity(
    client: httpx.AsyncClient,
    credentials: Mapping[str, str],
    *,
    cache: IdentityCache | None = None,
    path: str = DEFAULT_ME_PATH,
    now: float | None = None,
) -> Identity | None:
    """Who the monolith says holds ``credentials``; ``None`` for an anonymous caller.

    ``client`` has the monolith as ``base_url`` and owns timeouts (no cookie jar is used: the
    credentials go per request). 401/403 mean anonymous; anything else but 200 raises
    :class:`IdentityUnavailable`, so the caller can answer 503 or forward anonymously.
    """
    wanted = {name: value for name, value in credentials.items() if name in CREDENTIAL_HEADERS}
    if not wanted:
        return None
    moment = time.monotonic() if now is None else now
    key = IdentityCache.key(wanted)
    if cache is not None:
        hit, identity = cache.get(key, moment)
        if hit:
            return identity
    try:
        response = await client.get(path, headers={**wanted, "accept": "application/json"})
    except httpx.HTTPError as exc:
        failure = exc.__class__.__name__
        raise IdentityUnavailable(f"monolith identity lookup failed: {failure}") from None
    if response.status_code in (401, 403):
        identity = None
    elif response.status_code == 200:
        try:
            data = response.json()
            identity = Identity(
                sub=int(data["id"]), username=str(data["username"]), is_staff=bool(data["is_staff"])
            )
        except (ValueError, KeyError, TypeError):
            raise IdentityUnavailable(f"monolith {path} answered an unexpected body") from None
    else:
        raise IdentityUnavailable(f"monolith {path} answered {response.status_code}")
    if cache is not None:
        cache.put(key, identity, moment)
    return identity
