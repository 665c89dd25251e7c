"""Shadowing end to end: real upstreams that differ on purpose, the real proxy, real SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from strangler_proxy.app import ProxyApp
from tests.support.differing import MONOLITH_COOKIE_SECRET, DifferingApp
from tests.support.servers import RunningServer
from tests.unit.strangler_proxy.harness import serving_proxy, write_routes
from tests.unit.strangler_proxy.live.conftest import wait_for

ROUTES = """
[[routes]]
name = "same"
path = "/api/same/"
upstream = "service"
stage = "shadow"

[[routes]]
name = "changed"
path = "/api/changed/"
upstream = "service"
stage = "shadow"

[[routes]]
name = "time"
path = "/api/time/"
upstream = "service"
stage = "shadow"
[routes.shadow]
learn_noise = true
noise_sample_rate = 1.0

[[routes]]
name = "time-ignored"
path = "/api/time/ignored/"
upstream = "service"
stage = "shadow"
[routes.compare]
ignore = ["generated_at"]

[[routes]]
name = "order"
path = "/api/order/"
upstream = "service"
stage = "shadow"
[routes.compare]
unordered = ["results"]

[[routes]]
name = "order-strict"
path = "/api/order/strict/"
upstream = "service"
stage = "shadow"

[[routes]]
name = "slow"
path = "/api/slow/"
upstream = "service"
stage = "shadow"

[[routes]]
name = "broken"
path = "/api/broken/"
upstream = "service"
stage = "shadow"

[[routes]]
name = "reverse"
path = "/api/reverse/"
upstream = "service"
stage = "service"
reverse_shadow = true

[[routes]]
name = "writes"
path = "/api/writes/"
upstream = "service"
stage = "shadow"
"""
Sides = dict[str, tuple[DifferingApp, RunningServer]]


@pytest.fixture(scope="module")
def proxy(sides: Sides, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[tuple[RunningServer, ProxyApp, Path]]:
    folder = tmp_path_factory.mktemp("shadow")
    config = write_routes(folder / "routes.toml",
                          {"monolith": sides["monolith"][1].url,
                           "service": sides["service"][1].url},
                          ROUTES, extra="[proxy]\naccess_log = false\nwatch = false")
    with serving_proxy(config, watch=False) as (server, app):
        yield server, app, folder


def summary(app: ProxyApp, route: str) -> dict[str, object]:
    assert app.stores is not None
    found = app.stores.diffs.summary(route, top=10)
    return {} if not found else {
        "compared": found[0].compared, "matched": found[0].matched,
        "errors": found[0].candidate_errors, "paths": dict(found[0].top_paths)}


def compared(app: ProxyApp, route: str, count: int) -> dict[str, object]:
    return wait_for(lambda: (s := summary(app, route)) and
                    int(s["compared"]) + int(s["errors"]) >= count and s,  # type: ignore[arg-type]
                    what=f"{count} comparisons on {route}")  # type: ignore[return-value]


def test_the_client_gets_the_primarys_bytes_unchanged(proxy: tuple[RunningServer, ProxyApp, Path],
                                                      sides: Sides) -> None:
    server, app, _ = proxy
    direct = httpx.get(sides["monolith"][1].url + "/api/changed/1")
    through = httpx.get(server.url + "/api/changed/1")
    assert through.status_code == direct.status_code == 200
    assert through.content == direct.content  # raw bytes, not the parsed JSON
    assert through.headers["set-cookie"] == direct.headers["set-cookie"]
    found = compared(app, "changed", 1)
    assert found["paths"] == {"results[*].title": int(found["compared"])}
    assert int(found["matched"]) == 0


def test_the_copy_is_marked_and_reaches_the_service(proxy: tuple[RunningServer, ProxyApp, Path],
                                                    sides: Sides) -> None:
    server, app, _ = proxy
    service = sides["service"][0]
    httpx.get(server.url + "/api/same/marker", headers={"x-strangler-shadow": "0"})
    wait_for(lambda: "/api/same/marker" in service.paths(), what="the shadow copy")
    copy = next(h for m, p, h in service.seen if p == "/api/same/marker")
    assert copy["x-strangler-shadow"] == "1"
    primary = next(h for m, p, h in sides["monolith"][0].seen if p == "/api/same/marker")
    assert "x-strangler-shadow" not in primary  # the client's own marker never passes
    assert int(compared(app, "same", 1)["matched"]) >= 1


def test_noise_is_learned_or_ignored_and_reordering_forgiven_when_asked(
        proxy: tuple[RunningServer, ProxyApp, Path]) -> None:
    server, app, _ = proxy
    for i in range(6):
        for path in ("/api/time/", "/api/time/ignored/", "/api/order/", "/api/order/strict/"):
            assert httpx.get(f"{server.url}{path}{i}").status_code == 200
    learned = compared(app, "time", 6)
    # the first answer may be compared before the second primary answer taught the noise;
    # after that generated_at is noise and every comparison matches
    assert int(learned["matched"]) >= 5
    ignored = compared(app, "time-ignored", 6)
    assert ignored["matched"] == 6 and ignored["paths"] == {}
    assert compared(app, "order", 6)["matched"] == 6
    strict = compared(app, "order-strict", 6)
    assert strict["matched"] == 0
    assert "results[*].title" in strict["paths"]  # type: ignore[operator]


def test_slow_and_failing_candidates_are_counted_not_felt(
        proxy: tuple[RunningServer, ProxyApp, Path]) -> None:
    server, app, _ = proxy
    for i in range(3):
        assert httpx.get(f"{server.url}/api/slow/{i}").status_code == 200
        broken = httpx.get(f"{server.url}/api/broken/{i}")
        assert broken.status_code == 200  # the monolith answered; the candidate's 500 is a figure
    assert compared(app, "slow", 3)["matched"] == 3
    failing = compared(app, "broken", 3)
    assert failing["errors"] == 3 and "status" in failing["paths"]  # type: ignore[operator]


def test_post_is_not_shadowed_by_default(proxy: tuple[RunningServer, ProxyApp, Path],
                                         sides: Sides) -> None:
    server, app, _ = proxy
    response = httpx.post(server.url + "/api/writes/order", json={"qty": 1})
    assert response.status_code == 200 and response.json()["side"] == "monolith"
    httpx.get(server.url + "/api/writes/after")  # a GET after it is shadowed...
    wait_for(lambda: "/api/writes/after" in sides["service"][0].paths(), what="the GET copy")
    assert "/api/writes/order" not in sides["service"][0].paths()  # ...the POST never was


def test_reverse_shadow_after_cut_over(proxy: tuple[RunningServer, ProxyApp, Path],
                                       sides: Sides) -> None:
    server, app, _ = proxy
    answer = httpx.get(server.url + "/api/reverse/x")
    assert answer.json()["side"] == "service"
    monolith = sides["monolith"][0]
    wait_for(lambda: "/api/reverse/x" in monolith.paths(), what="the copy to the monolith")
    copy = next(h for m, p, h in monolith.seen if p == "/api/reverse/x")
    assert copy["x-strangler-shadow"] == "1"
    assert int(compared(app, "reverse", 1)["compared"]) >= 1


def test_secrets_never_reach_the_store(proxy: tuple[RunningServer, ProxyApp, Path]) -> None:
    server, app, folder = proxy
    secrets = {"authorization": "Bearer auth-secret-9c2e", "cookie": "sessionid=cookie-secret-77ab"}
    for i in range(3):
        httpx.get(f"{server.url}/api/changed/s{i}?token=query-secret-1d", headers=secrets)
    wait_for(lambda: app.stores is not None and any(
        "/api/changed/s2" in e.target for e in app.stores.diffs.examples("changed", limit=50)),
        what="the example of the last request")
    stored = app.stores.diffs.examples("changed", limit=50)  # type: ignore[union-attr]
    assert stored and any("[redacted]" in str(e.data) for e in stored)
    raw = b"".join(p.read_bytes() for p in folder.glob("strangler-state.db*"))
    assert raw  # the database and its write-ahead log
    for secret in ("auth-secret-9c2e", "cookie-secret-77ab", "query-secret-1d",
                   MONOLITH_COOKIE_SECRET):
        assert secret.encode() not in raw, secret
