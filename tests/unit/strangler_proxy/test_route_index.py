"""The route index finds exactly the route a scan of the ordered table would find."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from strangler_proxy.routes import PathMatch, Route, RouteTable, UpstreamSpec

SEGMENTS = st.sampled_from(["a", "b", "ab", "{id}", ""])
PATHS = st.lists(st.sampled_from(["a", "b", "ab", "c", "", "7"]), min_size=0, max_size=4).map(
    lambda parts: "/" + "/".join(parts))


@st.composite
def routes(draw: st.DrawFn) -> list[Route]:
    out = []
    for index in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["exact", "pattern", "prefix"]))
        parts = draw(st.lists(SEGMENTS, min_size=0, max_size=3))
        value = "/" + "/".join(p for p in parts if kind == "pattern" or not p.startswith("{"))
        if kind == "prefix" and draw(st.booleans()):
            value = value.rstrip("/") + "/"
        out.append(Route(
            name=f"r{index}", match=PathMatch(kind, value), index=index,
            methods=draw(st.sampled_from([None, frozenset({"GET"}), frozenset({"POST"})])),
            hosts=draw(st.sampled_from([(), ("shop.example",)])),
            headers=draw(st.sampled_from([(), (("x-beta", "1"),)]))))
    return out


def scan(table: RouteTable, method: str, host: str, path: str,
         headers: dict[str, str]) -> Route | None:
    for route in table.routes:
        if route.why_not(method, host, path, headers) is None:
            return route
    return None


@settings(max_examples=400, deadline=None)
@given(routes(), PATHS, st.sampled_from(["GET", "POST"]),
       st.sampled_from(["shop.example", "other.example:8080"]),
       st.sampled_from([{}, {"x-beta": "1"}]))
def test_index_and_scan_agree(found: list[Route], path: str, method: str, host: str,
                              headers: dict[str, str]) -> None:
    table = RouteTable(default="m", upstreams={"m": UpstreamSpec(name="m", url="http://m")},
                       routes=found)
    assert table.match(method, host, path, headers) is scan(table, method, host, path, headers)


def test_prefixes_at_segment_boundaries_longest_first() -> None:
    def prefix(name: str, value: str, index: int) -> Route:
        return Route(name=name, match=PathMatch("prefix", value), index=index)

    table = RouteTable(default="m", upstreams={"m": UpstreamSpec(name="m", url="http://m")},
                       routes=[prefix("catalog", "/api/catalog", 0),
                               prefix("api", "/api/", 1), prefix("root", "/", 2)])

    def matched(path: str) -> str:
        route = table.match("GET", "h", path, {})
        assert route is not None
        return route.name

    assert matched("/api/catalog/3") == "catalog"
    assert matched("/api/catalog") == "catalog"
    assert matched("/api/catalogue") == "api"  # not at a boundary of "/api/catalog"
    assert matched("/api/") == "api"
    assert matched("/api") == "root"  # "/api/" needs its slash
    assert matched("/") == "root"
