"""Canary end to end: sticky shares across percent changes, overrides, fallback, auto-rollback."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from strangler_proxy.app import ProxyApp
from tests.support.differing import DifferingApp
from tests.support.servers import RunningServer, reserve_port
from tests.unit.strangler_proxy.harness import serving_proxy, write_routes
from tests.unit.strangler_proxy.live.conftest import wait_for

Sides = dict[str, tuple[DifferingApp, RunningServer]]
POPULATION = [f"user-{i:03d}" for i in range(300)]


def _side(client: httpx.Client, server: RunningServer, user: str) -> str:
    answer = client.get(server.url + "/api/canary/x", headers={"cookie": f"sessionid={user}"})
    assert answer.status_code == 200
    return str(answer.json()["side"])


def _applied(app: ProxyApp, route: str, stage: str, percent: int) -> bool:
    assert app.runtime is not None
    found = next(r for r in app.runtime.table.routes if r.name == route)
    return (found.stage, found.percent) == (stage, percent)


def test_sticky_users_stay_in_the_canary_when_the_percent_grows(
        sides: Sides, tmp_path: Path, client: httpx.Client) -> None:
    config = write_routes(tmp_path / "routes.toml",
                          {"monolith": sides["monolith"][1].url,
                           "service": sides["service"][1].url}, """
        [[routes]]
        name = "canary"
        path = "/api/canary/"
        upstream = "service"
        stage = "canary"
        percent = 20
        """, extra="[proxy]\naccess_log = false")
    with serving_proxy(config, watch=False) as (server, app):
        first = {u for u in POPULATION if _side(client, server, u) == "service"}
        assert {u for u in POPULATION if _side(client, server, u) == "service"} == first  # sticky
        assert app.stores is not None
        app.stores.stages.set_stage("canary", "canary", 50, actor="test", reason="raise")
        wait_for(lambda: _applied(app, "canary", "canary", 50), what="the new percent")
        second = {u for u in POPULATION if _side(client, server, u) == "service"}
        assert first < second  # everyone in the first 20% is still in
        # a fixed population: the shares are near the percents (binomial, 300 users)
        assert 0.12 < len(first) / len(POPULATION) < 0.28
        assert 0.40 < len(second) / len(POPULATION) < 0.60
        outsider = next(u for u in POPULATION if u not in second)
        forced = client.get(server.url + "/api/canary/x",
                            headers={"cookie": f"sessionid={outsider}",
                                     "x-strangler-canary": "service"})
        assert forced.json()["side"] == "service"
        insider = next(iter(first))
        kept = client.get(server.url + "/api/canary/x",
                          headers={"cookie": f"sessionid={insider}; strangler_canary=monolith"})
        assert kept.json()["side"] == "monolith"


def test_a_failed_idempotent_canary_request_falls_back_to_the_monolith(
        sides: Sides, tmp_path: Path) -> None:
    dead = reserve_port()  # bound, never listening: connections are refused
    try:
        config = write_routes(tmp_path / "routes.toml", {
            "monolith": sides["monolith"][1].url,
            "service": f"http://127.0.0.1:{dead.getsockname()[1]}"}, """
            [[routes]]
            name = "canary"
            path = "/api/canary/"
            upstream = "service"
            stage = "canary"
            percent = 100
            fallback = true
            """, extra="[proxy]\naccess_log = false")
        with serving_proxy(config, watch=False) as (server, _):
            answer = httpx.get(server.url + "/api/canary/x", cookies={"sessionid": "u1"})
            assert answer.status_code == 200 and answer.json()["side"] == "monolith"
            refused = httpx.post(server.url + "/api/canary/x", cookies={"sessionid": "u1"})
            assert refused.status_code == 502  # not idempotent: no second attempt
    finally:
        dead.close()


def test_auto_rollback_when_the_canary_burns_its_error_budget(sides: Sides,
                                                              tmp_path: Path) -> None:
    config = write_routes(tmp_path / "routes.toml",
                          {"monolith": sides["monolith"][1].url,
                           "service": sides["service"][1].url}, """
        [[routes]]
        name = "broken"
        path = "/api/broken/"
        upstream = "service"
        stage = "canary"
        percent = 100
        [routes.gates.auto_rollback]
        error_budget = 0.2
        window_seconds = 30
        min_requests = 5
        """, extra="[proxy]\naccess_log = false")
    with serving_proxy(config, watch=False) as (server, app):
        statuses = [httpx.get(f"{server.url}/api/broken/{i}").status_code for i in range(6)]
        # the canary serves its own failure until the verdict (>= min_requests = 5 seen)
        assert statuses[:5] == [500] * 5
        wait_for(lambda: _applied(app, "broken", "monolith", 0), what="the automatic rollback")
        assert httpx.get(server.url + "/api/broken/after").status_code == 200
        assert app.stores is not None
        entry = app.stores.stages.audit("broken")[0]
        assert entry.actor == "auto-rollback" and entry.after.stage.value == "monolith"
        assert "over budget" in entry.reason


@pytest.mark.parametrize("percent", [0, 100])
def test_the_split_follows_the_percent_at_the_extremes(
        sides: Sides, tmp_path: Path, client: httpx.Client, percent: int) -> None:
    config = write_routes(tmp_path / "routes.toml",
                          {"monolith": sides["monolith"][1].url,
                           "service": sides["service"][1].url}, f"""
        [[routes]]
        name = "canary"
        path = "/api/canary/"
        upstream = "service"
        stage = "canary"
        percent = {percent}
        """, extra="[proxy]\naccess_log = false")
    with serving_proxy(config, watch=False) as (server, _):
        seen = {_side(client, server, u) for u in POPULATION[:40]}
        assert seen == {"service" if percent == 100 else "monolith"}
