"""The routes file reads the shadow/canary/gate keys through ``policies``, with FILE:LINE."""

from __future__ import annotations

from pathlib import Path

import pytest

from strangler_proxy.canary import StickyKey
from strangler_proxy.errors import RoutesFileError
from strangler_proxy.explain import render_table
from strangler_proxy.routes_file import load_table
from tests.unit.strangler_proxy.harness import write_routes

UPSTREAMS = {"monolith": "http://127.0.0.1:8000", "catalog": "http://127.0.0.1:8001"}


def test_phase_one_keys_are_accepted_and_shown_by_check(tmp_path: Path) -> None:
    config = write_routes(tmp_path / "routes.toml", UPSTREAMS, """
        [[routes]]
        name = "catalog"
        path = "/api/catalog/"
        upstream = "catalog"
        stage = "shadow"
        sticky = "header:X-User"
        sticky_missing = "monolith"
        canary_steps = [5, 25, 100]
        identity = true
        [routes.shadow]
        sample_rate = 0.5
        learn_noise = true
        [routes.compare]
        ignore = ["results[*].updated_at"]
        [routes.redact]
        fields = ["**.ssn"]
        [routes.gates]
        min_compared = 50
        [routes.gates.auto_rollback]
        error_budget = 0.1
        """, extra='[state]\nstore = "sqlite:///s.db"\nshadow_queue_size = 16')
    table = load_table(config)
    route = table.routes[0]
    assert route.sticky == StickyKey("header", "x-user") == route.policy.canary.sticky
    assert route.policy.canary.missing == "monolith"
    assert route.policy.canary_steps == (5, 25, 100)
    assert route.policy.shadow.sample_rate == 0.5 and route.policy.gates.min_compared == 50
    assert route.policy.auto_rollback.enabled and route.identity
    assert table.state.shadow_queue_size == 16
    text = render_table(table)
    assert "copy->catalog 50% GET,HEAD,OPTIONS" in text
    assert "sticky=header:x-user steps=5/25/100" in text and "identity" in text


def test_policy_errors_name_the_file_line_and_key(tmp_path: Path) -> None:
    config = write_routes(tmp_path / "routes.toml", UPSTREAMS, """
        [[routes]]
        name = "first"
        path = "/a/"
        upstream = "catalog"

        [[routes]]
        name = "catalog"
        path = "/api/catalog/"
        upstream = "catalog"
        sticky_missing = "sometimes"
        [routes.shadow]
        sample_rate = 2
        methods = ["POST"]
        [routes.gates]
        min_match_rat = 0.9
        """)
    with pytest.raises(RoutesFileError) as caught:
        load_table(config)
    lines = config.read_text().splitlines()
    found = {issue.key: issue.line for issue in caught.value.issues}
    assert set(found) == {"routes[1].sticky_missing", "routes[1].shadow.sample_rate",
                          "routes[1].shadow.methods", "routes[1].gates.min_match_rat"}
    for key, line in found.items():
        assert lines[line - 1].lstrip().startswith(key.rsplit(".", 1)[1]), (key, line)
