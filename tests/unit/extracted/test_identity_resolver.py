"""``resolve_identity`` asks the real monolith who holds a cookie or token, caching briefly."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from strangler_proxy.identity import (
    Identity,
    IdentityCache,
    IdentityUnavailable,
    Keyring,
    resolve_identity,
    sign_identity,
    verify_identity,
)
from tests.support.catalog_service import STAFF
from tests.support.servers import reserve_port


def resolve(url: str, credentials: dict[str, str], cache: IdentityCache | None = None,
            calls: list[str] | None = None, now: float | None = None) -> Identity | None:
    async def go() -> Identity | None:
        async def count(request: httpx.Request) -> None:
            if calls is not None:
                calls.append(request.url.path)

        async with httpx.AsyncClient(base_url=url, timeout=10,
                                     event_hooks={"request": [count]}) as client:
            return await resolve_identity(client, credentials, cache=cache, now=now)

    return asyncio.run(go())


def login(url: str, username: str, password: str) -> tuple[str, str]:
    """(token, session cookie) of a seeded staff user (the admin login makes the session)."""
    token = httpx.post(url + "/api/accounts/token/", timeout=30,
                       data={"username": username, "password": password}).json()["token"]
    with httpx.Client(base_url=url, timeout=30) as browser:
        page = browser.get("/admin/login/")
        browser.post("/admin/login/?next=/admin/", data={
            "username": username, "password": password,
            "csrfmiddlewaretoken": page.cookies["csrftoken"], "next": "/admin/"})
        return token, f"sessionid={browser.cookies['sessionid']}"


def test_token_and_session_resolve_to_the_user(monolith):
    token, cookie = login(monolith.url, *STAFF)
    by_token = resolve(monolith.url, {"authorization": f"Token {token}"})
    by_cookie = resolve(monolith.url, {"cookie": cookie})
    assert by_token == by_cookie
    assert by_token is not None and by_token.username == "staff" and by_token.is_staff
    keys = Keyring.parse("k1:resolver-test-secret-0123")
    assert verify_identity(sign_identity(by_token, keys), keys) == by_token


def test_anonymous_and_bad_credentials_resolve_to_none(monolith):
    calls: list[str] = []
    assert resolve(monolith.url, {}, calls=calls) is None
    assert calls == []  # no credentials, no lookup
    assert resolve(monolith.url, {"authorization": "Token not-a-token"}) is None
    assert resolve(monolith.url, {"cookie": "sessionid=forged"}) is None
    assert resolve(monolith.url, {"accept": "x"}) is None


def test_answers_are_cached_by_credential_hash_until_they_expire(monolith):
    token = httpx.post(monolith.url + "/api/accounts/token/", timeout=30,
                       data={"username": "demo", "password": "reelbox-demo"}).json()["token"]
    cache, calls = IdentityCache(seconds=10), []
    first = resolve(monolith.url, {"authorization": f"Token {token}"}, cache, calls, now=100.0)
    again = resolve(monolith.url, {"authorization": f"Token {token}"}, cache, calls, now=105.0)
    assert first == again and first is not None and not first.is_staff
    assert len(calls) == 1
    assert all(token not in key for key in cache._entries)  # only the hash is kept
    resolve(monolith.url, {"authorization": f"Token {token}"}, cache, calls, now=111.0)
    assert len(calls) == 2


def test_a_monolith_that_is_down_is_unavailable_not_anonymous():
    sock = reserve_port()
    try:
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        with pytest.raises(IdentityUnavailable):
            resolve(url, {"authorization": "Token x"})
    finally:
        sock.close()
