"""The admin API on a real listener: auth, stage moves, gates, audit, diffs, dashboard."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from strangler_proxy.admin import AdminApp
from strangler_proxy.admin_server import admin_token, check_bind, start_admin
from strangler_proxy.compare.result import Comparison
from strangler_proxy.errors import ConfigError, RoutesFileError
from strangler_proxy.routes import AdminSettings
from strangler_proxy.routes_file import load_table
from strangler_proxy.state import open_stores
from strangler_proxy.state_factory import StateStores
from tests.support.servers import RunningServer, running
from tests.unit.strangler_proxy.harness import write_routes

TOKEN = "admin-test-token-5e0b3c"
ROUTES = """
[[routes]]
name = "catalog"
path = "/api/catalog/"
upstream = "catalog"
stage = "shadow"
[routes.gates]
min_compared = 10
min_match_rate = 0.9
max_candidate_error_rate = 0.1
max_p99_ratio = 3.0

[[routes]]
name = "orders"
path = "/api/orders/"
upstream = "orders"
"""


@pytest.fixture()
def admin(tmp_path: Path) -> Iterator[tuple[RunningServer, StateStores, Path]]:
    config = write_routes(tmp_path / "routes.toml", {"monolith": "http://127.0.0.1:9",
                                                     "catalog": "http://127.0.0.1:9",
                                                     "orders": "http://127.0.0.1:9"}, ROUTES)
    stores = open_stores(load_table(config))
    try:
        with running(AdminApp(config, stores, TOKEN)) as server:
            yield server, stores, config
    finally:
        stores.close()


def _auth(token: str = TOKEN) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def test_every_endpoint_needs_the_token(admin: tuple[RunningServer, StateStores, Path]) -> None:
    server, _, _ = admin
    for method, path in (("GET", "/routes"), ("GET", "/diffs"), ("GET", "/audit"),
                         ("GET", "/dashboard"), ("POST", "/routes/catalog/rollback")):
        assert httpx.request(method, server.url + path).status_code == 401
        wrong = httpx.request(method, server.url + path, headers=_auth("not-the-token"))
        assert wrong.status_code == 401
    assert httpx.get(server.url + "/routes", headers=_auth()).status_code == 200


def test_login_sets_a_strict_cookie_good_for_reading_only(
        admin: tuple[RunningServer, StateStores, Path]) -> None:
    server, _, _ = admin
    assert httpx.get(server.url + "/login?token=wrong").status_code == 401
    login = httpx.get(server.url + f"/login?token={TOKEN}")
    assert login.status_code == 303 and login.headers["location"] == "/dashboard"
    cookie = login.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    jar = {"cookie": cookie.split(";")[0]}
    page = httpx.get(server.url + "/dashboard", headers=jar)
    assert page.status_code == 200 and "catalog" in page.text and "<script src" not in page.text
    # a cookie alone never moves traffic (a cross-site form could send it)
    assert httpx.post(server.url + "/routes/catalog/rollback", headers=jar).status_code == 401


def test_set_promote_rollback_and_audit(admin: tuple[RunningServer, StateStores, Path]) -> None:
    server, stores, _ = admin
    url = server.url
    moved = httpx.post(url + "/routes/catalog/stage", headers=_auth(),
                       json={"stage": "canary", "percent": 25, "reason": "try a quarter"})
    assert moved.status_code == 200 and moved.json()["to"]["percent"] == 25
    row = next(r for r in httpx.get(url + "/routes", headers=_auth()).json()["routes"]
               if r["name"] == "catalog")
    assert (row["stage"], row["percent"], row["overridden"]) == ("canary", 25, True)
    assert row["split"] == {"service": 25, "monolith": 75} and row["file"]["stage"] == "shadow"
    bad = httpx.post(url + "/routes/catalog/stage", headers=_auth(), json={"stage": "canery"})
    assert bad.status_code == 400 and "stage must be one of" in bad.json()["error"]
    missing = httpx.post(url + "/routes/nope/rollback", headers=_auth())
    assert missing.status_code == 404
    back = httpx.post(url + "/routes/catalog/rollback", headers=_auth(), json={"reason": "oops"})
    assert back.json()["to"]["stage"] == "monolith"
    audit = httpx.get(url + "/audit?route=catalog", headers=_auth()).json()
    assert [(a["to"]["stage"], a["reason"]) for a in audit] == [("monolith", "oops"),
                                                                 ("canary", "try a quarter")]
    assert audit[1]["from"]["stage"] == "shadow"  # the file's stage, before any override


def test_promotion_is_refused_on_a_failing_gate_and_allowed_when_gates_hold(
        admin: tuple[RunningServer, StateStores, Path]) -> None:
    server, stores, _ = admin
    url = server.url
    refused = httpx.post(url + "/routes/catalog/promote", headers=_auth())
    assert refused.status_code == 409
    failing = {g["name"] for g in refused.json()["gates"] if not g["passed"]}
    assert "min_compared" in failing
    for i in range(12):  # 11 of 12 match: 91.7% >= 90%
        stores.diffs.record_comparison("catalog", Comparison(match=i != 0, differences=(),
                                                             body_kind="json"),
                                       primary_ms=10.0, candidate_ms=12.0)
    allowed = httpx.post(url + "/routes/catalog/promote", headers=_auth())
    assert allowed.status_code == 200, allowed.json()
    assert allowed.json()["to"] == {"stage": "canary", "percent": 10, "reverse_shadow": False,
                                    "label": "canary 10%"}
    diffs = httpx.get(url + "/diffs?route=catalog", headers=_auth()).json()
    assert diffs[0]["compared"] == 12 and diffs[0]["matched"] == 11


def test_the_listener_refuses_without_a_token_or_on_a_public_address(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STRANGLER_ADMIN_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="set STRANGLER_ADMIN_TOKEN"):
        admin_token(AdminSettings())
    with pytest.raises(ConfigError, match="allow_remote"):
        check_bind(AdminSettings(listen="0.0.0.0:8081"))
    assert check_bind(AdminSettings(listen="0.0.0.0:8081", allow_remote=True)) == ("0.0.0.0",
                                                                                  8081)
    public = write_routes(tmp_path / "public.toml", {"monolith": "http://127.0.0.1:9"},
                          extra='[admin]\nlisten = "0.0.0.0:18081"')
    with pytest.raises(RoutesFileError, match=r"public.toml:\d+: admin.listen: .*allow_remote"):
        load_table(public)
    config = write_routes(tmp_path / "routes.toml", {"monolith": "http://127.0.0.1:9"},
                          extra='[admin]\nlisten = "127.0.0.1:0"')
    monkeypatch.setenv("STRANGLER_ADMIN_TOKEN", TOKEN)
    listener = start_admin(config)
    try:
        assert httpx.get(listener.url + "/routes").status_code == 401
        assert httpx.get(listener.url + "/routes", headers=_auth()).status_code == 200
    finally:
        listener.stop()


def test_the_admin_listener_stops_reading_a_head_that_never_ends(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Before any token is checked: a client sending one header without end is cut off.
    config = write_routes(tmp_path / "routes.toml", {"monolith": "http://127.0.0.1:9"},
                          extra='[admin]\nlisten = "127.0.0.1:0"')
    monkeypatch.setenv("STRANGLER_ADMIN_TOKEN", TOKEN)
    listener = start_admin(config)
    try:
        port = int(listener.url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"GET /routes HTTP/1.1\r\nHost: x\r\nX-Long: ")
            sent = 0
            try:
                while sent < 64 * 1024 * 1024:
                    sock.sendall(b"a" * 65536)
                    sent += 65536
            except (ConnectionResetError, BrokenPipeError):
                pass
            answer = sock.recv(200)
        assert answer.startswith(b"HTTP/1.1 431 ")
        assert sent < 64 * 1024 * 1024  # it stopped reading long before the end
        assert httpx.get(listener.url + "/routes", headers=_auth()).status_code == 200
    finally:
        listener.stop()
