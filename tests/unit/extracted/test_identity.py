"""Signed identity: the proxy's signer and the service's own verifier agree, and trust only a
valid, unexpired signature of a known key."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from extracted.catalog.common import identity as service_side
from strangler_proxy.identity import (
    HEADER,
    Identity,
    InvalidIdentity,
    Keyring,
    credentials_of,
    sign_identity,
    strip_identity,
    verify_identity,
)
from tests.support.catalog_service import catalog_service

KEYS = Keyring.parse("k2:second-secret-0123456789,k1:first-secret-0123456789")
ANA = Identity(sub=7, username="ana", is_staff=False)
NOW = 1_800_000_000


def tamper_payload(value: str, **changes: object) -> str:
    kid, body, signature = value.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload.update(changes)
    raw = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"{kid}.{raw}.{signature}"


def test_round_trip_on_both_sides():
    value = sign_identity(ANA, KEYS, now=NOW)
    assert verify_identity(value, KEYS, now=NOW + 30) == ANA
    user = service_side.verify(value, service_side.parse_keys("k2:second-secret-0123456789"),
                               now=NOW + 30)
    assert (user.pk, user.username, user.is_staff, user.is_authenticated) == (7, "ana", False, True)


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda v: tamper_payload(v, is_staff=True), "signature"),
        (lambda v: v[:-2] + ("AA" if not v.endswith("AA") else "BB"), "signature"),
        (lambda v: "k9." + v.split(".", 1)[1], "unknown"),
        (lambda v: v.replace(".", "", 1), "malformed"),
        (lambda v: "", "malformed"),
    ],
    ids=["payload-tampered", "signature-tampered", "unknown-kid", "malformed", "empty"],
)
def test_tampered_or_malformed_values_are_refused(make, reason):
    bad = make(sign_identity(ANA, KEYS, now=NOW))
    with pytest.raises(InvalidIdentity, match=reason):
        verify_identity(bad, KEYS, now=NOW)
    with pytest.raises(service_side.InvalidIdentity):
        service_side.verify(bad, service_side.parse_keys("k2:second-secret-0123456789"), now=NOW)


def test_expiry_with_clock_skew_leeway():
    value = sign_identity(ANA, KEYS, now=NOW, ttl=60)
    assert verify_identity(value, KEYS, now=NOW + 64) == ANA  # within the 5 s leeway
    with pytest.raises(InvalidIdentity, match="expired"):
        verify_identity(value, KEYS, now=NOW + 66)
    with pytest.raises(InvalidIdentity, match="future"):
        verify_identity(value, KEYS, now=NOW - 10)
    with pytest.raises(service_side.InvalidIdentity):
        service_side.verify(value, {"k2": b"second-secret-0123456789"}, now=NOW + 66)


def test_wrong_key_and_rotation():
    other = Keyring.parse("k2:someone-elses-secret-000")
    with pytest.raises(InvalidIdentity, match="signature"):
        verify_identity(sign_identity(ANA, other, now=NOW), KEYS, now=NOW)
    # Rotation: values signed with the old key (k1) still verify while k1 is listed.
    old = sign_identity(ANA, Keyring.parse("k1:first-secret-0123456789"), now=NOW)
    assert verify_identity(old, KEYS, now=NOW) == ANA
    assert sign_identity(ANA, KEYS, now=NOW).startswith("k2.")


@pytest.mark.parametrize("text", ["nocolon", "k1:short", ":secret-0123456789abc", "a.b:secret-0123456789"])
def test_bad_keyrings_say_what_is_wrong(text):
    with pytest.raises(ValueError):
        Keyring.parse(text)


def test_client_supplied_identity_is_stripped_and_credentials_picked():
    headers = [(b"X-Strangler-Identity", b"forged"), (b"cookie", b"a=1"), (b"Cookie", b"sessionid=x"),
               (b"authorization", b"Token abc"), (b"accept", b"*/*")]
    assert strip_identity(headers) == headers[1:]
    assert credentials_of(headers) == {"cookie": "a=1; sessionid=x", "authorization": "Token abc"}


@pytest.fixture(scope="module")
def bare_service(tmp_path_factory):
    keys = "k2:second-secret-0123456789"
    with catalog_service(tmp_path_factory.mktemp("id") / "catalog.sqlite3",
                         STRANGLER_IDENTITY_KEYS=keys) as server:
        yield server


def write_genre(url: str, identity: str | None, slug: str) -> httpx.Response:
    headers = {} if identity is None else {HEADER: identity}
    return httpx.post(url + "/api/catalog/genres/", json={"name": slug.title(), "slug": slug},
                      headers=headers, timeout=30)


def test_the_service_trusts_only_valid_signatures(bare_service):
    staff = Identity(sub=1, username="boss", is_staff=True)
    assert write_genre(bare_service.url, sign_identity(staff, KEYS), "noir").status_code == 201
    assert write_genre(bare_service.url, sign_identity(ANA, KEYS), "drama").status_code == 403
    assert write_genre(bare_service.url, None, "drama").status_code == 401
    tampered = tamper_payload(sign_identity(ANA, KEYS), is_staff=True)
    assert write_genre(bare_service.url, tampered, "drama").status_code == 401
    expired = sign_identity(staff, KEYS, now=NOW)
    assert write_genre(bare_service.url, expired, "drama").status_code == 401
    wrong = sign_identity(staff, Keyring.parse("k2:someone-elses-secret-000"))
    assert write_genre(bare_service.url, wrong, "drama").status_code == 401
    # k1 is the proxy's, not configured in this service: refused.
    k1_only = sign_identity(staff, Keyring.parse("k1:first-secret-0123456789"))
    assert write_genre(bare_service.url, k1_only, "drama").status_code == 401
    slugs = [g["slug"] for g in httpx.get(bare_service.url + "/api/catalog/genres/").json()["results"]]
    assert slugs == ["noir"]
