"""The exported nginx config, run by the real nginx against real upstreams on loopback."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from strangler_proxy.export import export_file
from tests.support.nginx import NGINX, free_port, nginx_running, nginx_test
from tests.support.servers import UpstreamApp, reserve_port, running

pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt install nginx-light)")

ROUTES = """
default = "monolith"
[upstreams.monolith]
url = "{monolith}"
[upstreams.catalog]
url = "{catalog}"
[upstreams.accounts]
url = "{accounts}"
[upstreams.gone]
url = "{gone}"

[[routes]]
name = "moved"
exact = "/moved"
upstream = "gone"
stage = "service"
fallback = true

[[routes]]
name = "catalog"
path = "/api/catalog"
upstream = "catalog"
stage = "canary"
percent = 30
sticky = "cookie:sessionid"
strip_prefix = "/api/catalog"
add_prefix = "/v1"

[[routes]]
name = "catalog-write"
path = "/api/catalog"
methods = ["POST"]
upstream = "catalog"
stage = "monolith"

[[routes]]
name = "titles"
pattern = "/api/titles/{{id}}/"
upstream = "catalog"
stage = "shadow"

[[routes]]
name = "accounts"
path = "/api/accounts/"
upstream = "accounts"
stage = "service"
headers = {{ "x-tenant" = "acme" }}
"""


class RecordingApp(UpstreamApp):
    """The echo upstream, also keeping each request's headers (the copy's are not echoed
    to any client)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.headers: list[dict[str, str]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.headers.append({n.decode("latin-1"): v.decode("latin-1")
                                 for n, v in scope["headers"]})
        await super().__call__(scope, receive, send)


@dataclass
class Setup:
    url: str
    monolith: UpstreamApp
    catalog: RecordingApp
    accounts: UpstreamApp


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    apps = {"monolith": UpstreamApp("monolith"), "catalog": RecordingApp("catalog"),
            "accounts": UpstreamApp("accounts")}
    # "dead" is bound but never listens: connections to it are refused
    with running(apps["monolith"]) as mono, running(apps["catalog"]) as cat, \
            running(apps["accounts"]) as acc, reserve_port() as dead:
        catalog = apps["catalog"]
        assert isinstance(catalog, RecordingApp)
        root = tmp_path_factory.mktemp("nginx")
        routes = root / "routes.toml"
        gone = f"http://127.0.0.1:{dead.getsockname()[1]}"
        routes.write_text(ROUTES.format(monolith=mono.url, catalog=cat.url, accounts=acc.url,
                                        gone=gone))
        port = free_port()
        result = export_file(routes, "nginx", listen=f"127.0.0.1:{port}", standalone=True)
        conf = root / "conf"
        conf.mkdir()
        for name, text in result.files.items():
            (conf / name).write_text(text)
        checked = nginx_test(conf)
        assert checked.returncode == 0, checked.stderr
        with nginx_running(conf, port) as url:
            yield Setup(url, apps["monolith"], catalog, apps["accounts"])


def _get(setup: Setup, path: str, *, method: str = "GET", content: bytes | None = None,
         headers: dict[str, str] | None = None, cookies: dict[str, str] | None = None) -> dict:
    headers = dict(headers or {})
    if cookies:  # a plain Cookie header: httpx's per-request cookies are deprecated
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    response = httpx.request(method, setup.url + path, content=content, headers=headers,
                             timeout=5)
    assert response.status_code == 200, response.text
    return json.loads(response.text)


def _header(echo: dict, name: str) -> str | None:
    return next((v for n, v in echo["headers"] if n.lower() == name), None)


def test_unmatched_paths_go_to_the_default_upstream(setup: Setup) -> None:
    echo = _get(setup, "/somewhere/else?x=1")
    assert echo["upstream"] == "monolith"
    assert echo["path"] == "/somewhere/else"
    assert _header(echo, "x-forwarded-for") == "127.0.0.1"
    assert _header(echo, "x-request-id")


def test_fallback_to_the_monolith_when_the_service_is_down(setup: Setup) -> None:
    echo = _get(setup, "/moved")
    assert echo["upstream"] == "monolith"
    assert echo["path"] == "/moved"


def test_segment_boundary_prefix(setup: Setup) -> None:
    # /api/catalogue is not under /api/catalog: it must not reach the canary location
    for _ in range(20):
        assert _get(setup, "/api/catalogue", cookies={"sessionid": "x"})["upstream"] == "monolith"


def test_header_condition_routes_and_falls_through(setup: Setup) -> None:
    assert _get(setup, "/api/accounts/me", headers={"X-Tenant": "acme"})["upstream"] == "accounts"
    assert _get(setup, "/api/accounts/me", headers={"X-Tenant": "other"})["upstream"] == "monolith"
    assert _get(setup, "/api/accounts/me")["upstream"] == "monolith"


def test_method_condition_keeps_the_body(setup: Setup) -> None:
    body = b"x" * 5000
    echo = _get(setup, "/api/catalog/items", method="POST", content=body,
                cookies={"sessionid": "anyone"})
    assert echo["upstream"] == "monolith"
    assert echo["path"] == "/api/catalog/items"
    assert echo["body_bytes"] == len(body)


def test_canary_split_is_sticky_and_near_the_percent(setup: Setup) -> None:
    sides: dict[str, str] = {}
    with httpx.Client(base_url=setup.url, timeout=5) as client:
        for i in range(300):
            echo = client.get("/api/catalog/titles", headers={"Cookie": f"sessionid=user-{i}"}).json()
            sides[f"user-{i}"] = echo["upstream"]
            # the service side gets the rewritten path, the monolith the original
            expected = "/v1/titles" if echo["upstream"] == "catalog" else "/api/catalog/titles"
            assert echo["path"] == expected
        share = sum(side == "catalog" for side in sides.values()) / len(sides)
        assert 0.2 <= share <= 0.4, share
        for key in list(sides)[:100]:
            again = client.get("/api/catalog", headers={"Cookie": f"sessionid={key}"}).json()
            assert again["upstream"] == sides[key], key


def test_canary_override_header_and_cookie(setup: Setup) -> None:
    for i in range(10):
        echo = _get(setup, "/api/catalog/x", cookies={"sessionid": f"u{i}"},
                    headers={"X-Strangler-Canary": "service"})
        assert echo["upstream"] == "catalog"
        echo = _get(setup, "/api/catalog/x",
                    cookies={"sessionid": f"u{i}", "strangler_canary": "monolith"})
        assert echo["upstream"] == "monolith"


def test_shadow_mirrors_with_the_marker_and_answers_from_the_primary(setup: Setup) -> None:
    before = len(setup.catalog.requests)
    echo = _get(setup, "/api/titles/42/?full=1")
    assert echo["upstream"] == "monolith"
    assert _header(echo, "x-strangler-shadow") is None
    deadline = time.monotonic() + 5
    while len(setup.catalog.requests) == before and time.monotonic() < deadline:
        time.sleep(0.02)
    assert setup.catalog.requests[before:] == [("GET", "/api/titles/42/?full=1")]
    # unsafe methods are not copied: a POST, then a GET whose copy marks "all sent"
    assert _get(setup, "/api/titles/43/", method="POST", content=b"{}")["upstream"] == "monolith"
    _get(setup, "/api/titles/44/")
    deadline = time.monotonic() + 5
    while ("GET", "/api/titles/44/") not in setup.catalog.requests \
            and time.monotonic() < deadline:
        time.sleep(0.02)
    assert ("GET", "/api/titles/44/") in setup.catalog.requests
    assert all(path != "/api/titles/43/" for _, path in setup.catalog.requests)


def test_mirror_copy_carries_the_shadow_header(setup: Setup) -> None:
    before = len(setup.catalog.headers)
    _get(setup, "/api/titles/8/")
    deadline = time.monotonic() + 5
    while len(setup.catalog.headers) == before and time.monotonic() < deadline:
        time.sleep(0.02)
    copy = setup.catalog.headers[before]
    assert copy.get("x-strangler-shadow") == "1"
    assert copy.get("x-request-id")


def test_encoded_slash_is_refused_like_strangler(setup: Setup) -> None:
    response = httpx.get(setup.url + "/api/catalog%2Fx", timeout=5)
    assert response.status_code == 400


def test_request_id_kept_when_sane_and_returned(setup: Setup) -> None:
    response = httpx.get(setup.url + "/x", headers={"X-Request-ID": "abc-123"}, timeout=5)
    assert response.headers["x-request-id"] == "abc-123"
    assert _header(response.json(), "x-request-id") == "abc-123"
    response = httpx.get(setup.url + "/x", headers={"X-Request-ID": "bad id!"}, timeout=5)
    assert response.headers["x-request-id"] != "bad id!"
    assert _header(response.json(), "x-request-id") == response.headers["x-request-id"]


def test_every_export_passes_nginx_t(tmp_path: Path) -> None:
    from strangler_proxy.export.nginx import render_nginx
    from tests.unit.strangler_proxy.export.policy_samples import POLICY_MODELS
    from tests.unit.strangler_proxy.export.samples import SAMPLES, write_sample

    for name in SAMPLES:
        conf = tmp_path / name
        conf.mkdir()
        result = export_file(write_sample(tmp_path, name), "nginx",
                             listen=f"127.0.0.1:{free_port()}", standalone=True)
        for file, text in result.files.items():
            (conf / file).write_text(text)
        checked = nginx_test(conf)
        assert checked.returncode == 0, f"{name}: {checked.stderr}"
    for name, model in POLICY_MODELS().items():
        conf = tmp_path / name
        conf.mkdir()
        files, _ = render_nginx(model, listen=f"127.0.0.1:{free_port()}", standalone=True)
        for file, text in files.items():
            (conf / file).write_text(text)
        checked = nginx_test(conf)
        assert checked.returncode == 0, f"{name}: {checked.stderr}"
