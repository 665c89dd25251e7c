"""Verify ``X-Strangler-Identity`` values signed by the proxy (``strangler_proxy.identity``).

A copy of the proxy's verification, not an import: a service never depends on the proxy's
package. Format ``<kid>.<base64url JSON {sub, username, is_staff, iat, exp}>.<base64url
HMAC-SHA256 of "<kid>.<payload>">``; tests sign with the proxy and verify here.
"""

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass

HEADER = "X-Strangler-Identity"
LEEWAY_SECONDS = 5


class InvalidIdentity(Exception):
    """The value is malformed, tampered, expired or signed with an unknown key."""


@dataclass(frozen=True, slots=True)
class ServiceUser:
    """The caller, as DRF's ``request.user``."""

    pk: int
    username: str
    is_staff: bool
    is_authenticated: bool = True
    is_anonymous: bool = False


def parse_keys(text: str) -> dict[str, bytes]:
    """``"k2:secret2,k1:secret1"`` -> ``{"k2": b"secret2", "k1": b"secret1"}``."""
    pairs = (item.strip().partition(":") for item in text.split(",") if item.strip())
    return {kid: secret.encode() for kid, sep, secret in pairs if sep and kid}


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def verify(value: str, keys: dict[str, bytes], *, now: float | None = None) -> ServiceUser:
    parts = value.strip().split(".")
    if len(parts) != 3:
        raise InvalidIdentity("malformed identity")
    kid, body, signature = parts
    secret = keys.get(kid)
    if secret is None:
        raise InvalidIdentity("unknown identity key")
    digest = hmac.new(secret, f"{kid}.{body}".encode("ascii"), hashlib.sha256).digest()
    expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    if not hmac.compare_digest(expected, signature):
        raise InvalidIdentity("bad identity signature")
    try:
        payload = json.loads(_b64decode(body))
        user = ServiceUser(
            int(payload["sub"]), str(payload["username"]), payload["is_staff"] is True
        )
        issued, expires = int(payload["iat"]), int(payload["exp"])
    except (ValueError, KeyError, TypeError):
        raise InvalidIdentity("unreadable identity payload") from None
    moment = time.time() if now is None else now
    if moment > expires + LEEWAY_SECONDS or issued > moment + LEEWAY_SECONDS:
        raise InvalidIdentity("identity expired or not yet valid")
    return user
