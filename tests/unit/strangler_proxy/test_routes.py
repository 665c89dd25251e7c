"""Route matching and decisions: pure, no sockets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import pytest

from strangler_proxy.canary import CanaryConfig, StickyKey
from strangler_proxy.policies import RoutePolicy
from strangler_proxy.routes import PathMatch, Route, RouteTable, UpstreamSpec

UPSTREAMS = {name: UpstreamSpec(name=name, url=f"http://127.0.0.1:{port}")
             for name, port in (("monolith", 8000), ("catalog", 8001), ("orders", 8002))}


def table(*routes: Route) -> RouteTable:
    return RouteTable(default="monolith", upstreams=UPSTREAMS, routes=routes)


@pytest.mark.parametrize(("match", "path", "expected"), [
    (PathMatch("prefix", "/api/catalog/"), "/api/catalog/", True),
    (PathMatch("prefix", "/api/catalog/"), "/api/catalog/x/y", True),
    (PathMatch("prefix", "/api/catalog/"), "/api/catalog", False),
    (PathMatch("prefix", "/api/catalog"), "/api/catalog", True),
    (PathMatch("prefix", "/api/catalog"), "/api/catalog/1", True),
    (PathMatch("prefix", "/api/catalog"), "/api/catalogue", False),  # segment boundary
    (PathMatch("exact", "/api/catalog/"), "/api/catalog/", True),
    (PathMatch("exact", "/api/catalog/"), "/api/catalog/1", False),
    (PathMatch("pattern", "/api/titles/{id}/"), "/api/titles/42/", True),
    (PathMatch("pattern", "/api/titles/{id}/"), "/api/titles//", False),  # empty parameter
    (PathMatch("pattern", "/api/titles/{id}/"), "/api/titles/42/x", False),
    (PathMatch("pattern", "/api/{kind}/{id}"), "/api/titles/42", True),
])
def test_path_match_kinds(match: PathMatch, path: str, expected: bool) -> None:
    assert match.matches(path) is expected


def test_most_specific_route_wins_whatever_the_file_order() -> None:
    routes = table(
        Route(name="broad", match=PathMatch("prefix", "/api/"), upstream="orders", stage="service"),
        Route(name="catalog", match=PathMatch("prefix", "/api/catalog/"), upstream="catalog",
              stage="service", index=1),
        Route(name="detail", match=PathMatch("pattern", "/api/catalog/{id}/"), upstream="orders",
              stage="service", index=2),
        Route(name="index", match=PathMatch("exact", "/api/catalog/"), index=3),
    )
    assert [r.name for r in routes.routes] == ["index", "detail", "catalog", "broad"]
    assert routes.decide("GET", "", "/api/catalog/", {}).route_name == "index"
    assert routes.decide("GET", "", "/api/catalog/7/", {}).route_name == "detail"
    assert routes.decide("GET", "", "/api/catalog/7/x", {}).route_name == "catalog"
    assert routes.decide("GET", "", "/api/other", {}).route_name == "broad"
    nothing = routes.decide("GET", "", "/home", {})
    assert (nothing.route, nothing.primary) == (None, "monolith")


def test_conditions_make_a_route_more_specific_and_file_order_breaks_ties() -> None:
    routes = table(
        Route(name="first", match=PathMatch("prefix", "/a/"), upstream="catalog", stage="service"),
        Route(name="second", match=PathMatch("prefix", "/a/"), upstream="orders", stage="service",
              index=1),
        Route(name="posts", match=PathMatch("prefix", "/a/"), methods=frozenset({"POST"}),
              upstream="orders", stage="service", index=2),
    )
    assert routes.decide("GET", "", "/a/1", {}).route_name == "first"
    assert routes.decide("POST", "", "/a/1", {}).route_name == "posts"


def test_methods_hosts_and_headers_conditions() -> None:
    route = Route(name="r", match=PathMatch("prefix", "/"), methods=frozenset({"GET"}),
                  hosts=("shop.example",), headers=(("x-beta", "1"),), upstream="catalog",
                  stage="service")
    assert route.why_not("GET", "shop.example:8080", "/x", {"x-beta": "1"}) is None
    assert route.why_not("POST", "shop.example", "/x", {"x-beta": "1"}) == \
        "method POST not in ['GET']"
    assert "host" in (route.why_not("GET", "other.example", "/x", {"x-beta": "1"}) or "")
    assert route.why_not("GET", "SHOP.example", "/x", {"x-beta": "2"}) == \
        "header x-beta is not '1'"


def test_stages_decide_the_primary_and_hooks() -> None:
    def route(stage: str, **kw: object) -> Route:
        return Route(name=stage, match=PathMatch("prefix", "/s/"), upstream="catalog",
                     stage=stage, strip_prefix="/s", **kw)  # type: ignore[arg-type]

    service = table(route("service", fallback=True)).decide("GET", "", "/s/1", {})
    assert (service.primary, service.forward_path, service.fallback) == ("catalog", "/1",
                                                                         "monolith")
    monolith = table(route("monolith")).decide("GET", "", "/s/1", {})
    assert (monolith.primary, monolith.forward_path) == ("monolith", "/s/1")  # no rewrite
    shadow = table(route("shadow")).decide("GET", "", "/s/1", {})
    assert (shadow.primary, shadow.shadow) == ("monolith", "catalog")
    sticky = StickyKey("header", "x-user")
    policy = RoutePolicy(canary=CanaryConfig(sticky=sticky, missing="monolith"))
    canary_route = route("canary", percent=50, sticky=sticky, policy=policy)
    assert table(canary_route).decide("GET", "", "/s/1", {}).primary == "monolith"
    seen: list[tuple[str, int, str]] = []

    def bucket(route_: Route, headers: Mapping[str, str], client: str) -> bool:
        seen.append((route_.name, route_.percent, headers.get("x-user", "")))
        return headers.get("x-user") == "in"

    inside = table(canary_route).decide("GET", "", "/s/1", {"x-user": "in"}, canary=bucket)
    outside = table(canary_route).decide("GET", "", "/s/1", {"x-user": "out"}, canary=bucket)
    assert (inside.primary, outside.primary) == ("catalog", "monolith")
    assert seen == [("canary", 50, "in"), ("canary", 50, "out")]


def test_rewrites() -> None:
    route = Route(name="r", match=PathMatch("prefix", "/api/orders/"), upstream="orders",
                  stage="service", strip_prefix="/api/orders", add_prefix="/v2/")
    assert route.rewrite("/api/orders/5") == "/v2/5"
    assert route.rewrite("/api/orders/") == "/v2/"


def test_default_canary_share_is_sticky_and_honours_the_override() -> None:
    base = Route(name="r", match=PathMatch("prefix", "/s"), upstream="catalog", stage="canary",
                 percent=30)
    users = [f"user{i}" for i in range(400)]

    def inside(route_: Route, user: str) -> bool:
        decision = table(route_).decide("GET", "", "/s/1", {"cookie": f"sessionid={user}"},
                                        "10.0.0.1")
        return decision.primary == "catalog"

    at30 = {u for u in users if inside(base, u)}
    at60 = {u for u in users if inside(replace(base, percent=60), u)}
    assert at30 < at60  # raising the percent only adds users
    assert 0.2 < len(at30) / len(users) < 0.4
    forced = table(replace(base, percent=0)).decide(
        "GET", "", "/s/1", {"x-strangler-canary": "service"}, "10.0.0.1")
    assert forced.primary == "catalog"


def test_explain_lists_routes_until_the_winner() -> None:
    routes = table(
        Route(name="exact", match=PathMatch("exact", "/a/")),
        Route(name="prefix", match=PathMatch("prefix", "/a/"), index=1),
        Route(name="other", match=PathMatch("prefix", "/b/"), index=2),
    )
    assert routes.explain("GET", "", "/a/x") == [
        ("exact", "path does not match exact /a/"), ("prefix", "matched")]
