"""The export model agrees with the proxy's own route semantics."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from strangler_proxy import forward, shadow_queue
from strangler_proxy.errors import RoutesFileError
from strangler_proxy.export.model import IDEMPOTENT, SAFE
from strangler_proxy.export.source import load_model
from strangler_proxy.routes import PathMatch, Route
from tests.unit.strangler_proxy.export.samples import SAMPLES, write_sample

PATHS = ["/", "/api", "/api/catalog", "/api/catalog/", "/api/catalog/x", "/api/catalogue",
         "/api/catalog/x/y/", "/api/titles/5/reviews/", "/api/titles//reviews/",
         "/api/titles/5/6/reviews/", "/v2/x", "/api/accounts/me"]


def test_method_sets_match_the_proxy() -> None:
    assert forward.IDEMPOTENT == IDEMPOTENT
    assert shadow_queue.SAFE_METHODS == SAFE


@pytest.mark.parametrize(("strip", "add"), [("/api/catalog", "/v1"), ("/api/catalog/", ""),
                                            ("", "/v2/"), ("/api/", "/x"), ("/a.b", "")])
def test_rewrite_regex_equals_route_rewrite(strip: str, add: str) -> None:
    from strangler_proxy.export.model import ExportRoute
    from strangler_proxy.policies import RoutePolicy

    route = Route(name="r", match=PathMatch("prefix", "/"), strip_prefix=strip, add_prefix=add)
    regex, replacement = ExportRoute(route=route, policy=RoutePolicy(),
                                     default="m").rewrite_regex()
    for path in [*PATHS, "/a.b/c", "/aXb/c"]:
        found = re.match(regex, path)
        ours = replacement.replace("{rest}", found.group(1)) if found else path
        assert ours == route.rewrite(path), (strip, add, path)


@pytest.mark.parametrize("pattern", ["/api/titles/{id}/reviews/", "/x/{a}/{b}", "/a.b/{id}"])
def test_pattern_regex_equals_path_match(pattern: str) -> None:
    from strangler_proxy.export.model import ExportRoute
    from strangler_proxy.policies import RoutePolicy

    route = ExportRoute(route=Route(name="p", match=PathMatch("pattern", pattern)),
                        policy=RoutePolicy(), default="m")
    for path in [*PATHS, "/x/1/2", "/x/1/", "/x//2", "/a.b/7", "/aXb/7"]:
        assert bool(re.match(route.pattern_regex(), path)) == PathMatch(
            "pattern", pattern).matches(path), path


def test_model_keeps_precedence_and_stage_sides(tmp_path: Path) -> None:
    model = load_model(write_sample(tmp_path, "all_stages"))
    names = [route.name for route in model.routes]
    assert names == ["accounts.me", "titles", "legacy", "catalog"]  # exact, pattern, prefixes
    by_name = {route.name: route for route in model.routes}
    assert by_name["titles"].mirror == "catalog" and by_name["titles"].primary == "monolith"
    assert by_name["catalog"].split and by_name["catalog"].percent == 25
    assert by_name["legacy"].primary == "monolith" and by_name["legacy"].mirror is None
    assert by_name["accounts.me"].primary == "accounts"
    assert model.backend("accounts").host == "localhost" and model.backend("accounts").port == 9002


def test_policy_keys_reach_the_model_when_the_loader_accepts_them(tmp_path: Path) -> None:
    from strangler_proxy.export.model import build_model
    from strangler_proxy.policies import parse_route_policy
    from strangler_proxy.routes_file import parse_table

    raw = {"name": "titles", "path": "/t/", "reverse_shadow": True,
           "shadow": {"sample_rate": 0.25, "learn_noise": True}}
    policy, errors = parse_route_policy(raw)
    assert errors == []
    table = parse_table(SAMPLES["all_stages"])
    model = build_model(table, {"titles": policy})
    titles = next(r for r in model.routes if r.name == "titles")
    assert titles.policy.shadow.sample_rate == 0.25


def test_bad_file_raises_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('default = "monolith"\n[upstreams.monolith]\nurl = "http://127.0.0.1:1"\n'
                    '[[routes]]\nname = "x"\npath = "/x/"\nstage = "canery"\n')
    with pytest.raises(RoutesFileError) as caught:
        load_model(path)
    assert any(issue.line == 7 and "stage" in issue.key for issue in caught.value.issues)
