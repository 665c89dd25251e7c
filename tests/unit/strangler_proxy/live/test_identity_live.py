"""Signed identity end to end: stripped from clients on every route, added for the service."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from strangler_proxy.app import create_app
from strangler_proxy.errors import ConfigError
from strangler_proxy.identity import DEMO_KEYS, Identity, Keyring, verify_identity
from strangler_proxy.identity_signer import KEYS_ENV
from tests.support.differing import DifferingApp
from tests.support.servers import RunningServer
from tests.unit.strangler_proxy.harness import serving_proxy, write_routes

Sides = dict[str, tuple[DifferingApp, RunningServer]]
KEYS = "k2:proxy-test-signing-key-0123456789"
ROUTES = """
[[routes]]
name = "me"
path = "/api/profile/"
upstream = "service"
stage = "service"
identity = true

[[routes]]
name = "plain"
path = "/api/plain/"
upstream = "service"
stage = "service"
"""
FORGED = "demo.eyJzdWIiOjF9.forged"


def _config(sides: Sides, folder: Path, extra: str = "") -> Path:
    return write_routes(folder / "routes.toml", {"monolith": sides["monolith"][1].url,
                                                 "service": sides["service"][1].url},
                        ROUTES, extra="[proxy]\naccess_log = false\n" + extra)


def _received(service: DifferingApp, path: str) -> dict[str, str]:
    return next(h for m, p, h in reversed(service.seen) if p == path)


def test_the_service_gets_a_signed_identity_and_never_the_clients(
        sides: Sides, tmp_path: Path, client: httpx.Client,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEYS_ENV, KEYS)
    service = sides["service"][0]
    with serving_proxy(_config(sides, tmp_path), watch=False) as (server, _):
        signed_in = client.get(server.url + "/api/profile/a",
                               headers={"cookie": "sessionid=good-session",
                                        "x-strangler-identity": FORGED})
        assert signed_in.status_code == 200
        value = _received(service, "/api/profile/a")["x-strangler-identity"]
        assert verify_identity(value, Keyring.parse(KEYS)) == Identity(sub=7, username="ana")
        anonymous = client.get(server.url + "/api/profile/b",
                               headers={"cookie": "sessionid=nobody",
                                        "x-strangler-identity": FORGED})
        assert anonymous.status_code == 200
        assert "x-strangler-identity" not in _received(service, "/api/profile/b")
        client.get(server.url + "/api/plain/c", headers={"cookie": "sessionid=good-session",
                                                         "x-strangler-identity": FORGED})
        assert "x-strangler-identity" not in _received(service, "/api/plain/c")
        client.get(server.url + "/unrouted", headers={"x-strangler-identity": FORGED})
        monolith = sides["monolith"][0]
        assert "x-strangler-identity" not in _received(monolith, "/unrouted")


def test_the_demo_keyring_only_when_asked(sides: Sides, tmp_path: Path, client: httpx.Client,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEYS_ENV, raising=False)
    app = create_app(_config(sides, tmp_path), watch=False, state=False)
    with pytest.raises(ConfigError, match=KEYS_ENV):
        asyncio.run(app.startup())
    demo = tmp_path / "demo"
    demo.mkdir()
    with serving_proxy(_config(sides, demo, "demo = true"), watch=False) as (server, _):
        client.get(server.url + "/api/profile/d", headers={"cookie": "sessionid=good-session"})
        value = _received(sides["service"][0], "/api/profile/d")["x-strangler-identity"]
        assert verify_identity(value, Keyring.parse(DEMO_KEYS)).username == "ana"
