"""The Envoy export, loaded into the typed Envoy v3 API classes (envoy-data-plane).

Envoy itself is not installable here; ``Bootstrap.from_dict`` rejects unknown fields, wrong
types and unregistered ``typed_config`` types, which is what a config typo would hit first.
A small first-match evaluator then checks that Envoy would send each request where
strangler's own route table does.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

import pytest
import yaml

from strangler_proxy.export.envoy import render_envoy
from strangler_proxy.export.model import IDEMPOTENT, ExportModel
from tests.unit.strangler_proxy.export.policy_samples import POLICY_MODELS
from tests.unit.strangler_proxy.export.samples import SAMPLES, sample_model

envoy_api = pytest.importorskip("envoy_data_plane", reason="pip install envoy-data-plane "
                                "(the test extra) to validate against the typed Envoy API")


def _envoy_types() -> tuple[Any, Any]:
    with warnings.catch_warnings():
        # pydantic (under betterproto2) warns about its own deprecations on first import
        warnings.simplefilter("ignore", DeprecationWarning)
        from envoy_data_plane.envoy.config.bootstrap.v3 import Bootstrap
        from envoy_data_plane.envoy.config.cluster.v3 import OutlierDetection

        # importing a module registers its types for typed_config (google.protobuf.Any)
        from envoy_data_plane.envoy.extensions.filters.http.router import (
            v3 as _router,  # noqa: F401
        )
        from envoy_data_plane.envoy.extensions.filters.network.http_connection_manager import (
            v3 as _hcm,  # noqa: F401
        )
        from envoy_data_plane.envoy.extensions.upstreams.http import v3 as _http  # noqa: F401
    return Bootstrap, OutlierDetection


def _typed(text: str) -> Any:
    Bootstrap, OutlierDetection = _envoy_types()
    doc = yaml.safe_load(text)
    for cluster in doc["static_resources"]["clusters"]:
        detection = cluster.get("outlier_detection")
        if detection is not None:
            # betterproto2 cannot read the JSON name of "consecutive_5xx" (it snake-cases it
            # to consecutive_5_xx); check that field with the constructor instead
            failures = detection.pop("consecutive_5xx")
            assert OutlierDetection(consecutive_5xx=failures).consecutive_5xx == failures
    return Bootstrap.from_dict(doc)


def _render(model: ExportModel) -> tuple[str, dict[str, Any], list[Any]]:
    files, found = render_envoy(model, listen="127.0.0.1:10000")
    text = files["envoy.yaml"]
    hcm = yaml.safe_load(text)["static_resources"]["listeners"][0]["filter_chains"][0][
        "filters"][0]["typed_config"]
    return text, hcm, found


MODELS = {**{name: lambda n=name: sample_model(n) for name in SAMPLES},
          **{name: lambda n=name: POLICY_MODELS()[n] for name in ("sampled_shadow",
                                                                 "no_override",
                                                                 "reverse_shadow")}}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_loads_into_typed_envoy_classes(name: str) -> None:
    text, _, _ = _render(MODELS[name]())
    bootstrap = _typed(text)
    listener = bootstrap.static_resources.listeners[0]
    hcm = listener.filter_chains[0].filters[0].typed_config.unpack()
    assert type(hcm).__name__ == "HttpConnectionManager"
    assert hcm.normalize_path is True and hcm.merge_slashes is True
    routes = hcm.route_config.virtual_hosts[0].routes
    assert routes[-1].name == "default"
    assert {c.name for c in bootstrap.static_resources.clusters} == {
        "monolith", "catalog", "accounts"}


def test_the_typed_loader_rejects_a_typo() -> None:
    text, _, _ = _render(sample_model("all_stages"))
    broken = text.replace("use_hash_policy: true", "use_hash_polcy: true")
    assert broken != text
    with pytest.raises(KeyError, match="use_hash_polcy"):
        _typed(broken)


def _headers(entry: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {h["name"]: h["string_match"] for h in entry["match"].get("headers", [])}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_retries_only_for_idempotent_methods_and_mirror_only_for_copied(name: str) -> None:
    _, hcm, _ = _render(MODELS[name]())
    for entry in hcm["route_config"]["virtual_hosts"][0]["routes"]:
        action = entry["route"]
        method = _headers(entry).get(":method")
        methods = set(re.findall(r"[A-Z]+", method["safe_regex"]["regex"])) if method else None
        if "retry_policy" in action:
            assert methods is not None and methods <= IDEMPOTENT, entry["name"]
            assert action["retry_policy"]["retry_on"] == "connect-failure,refused-stream"
        for mirror in action.get("request_mirror_policies", []):
            assert methods is not None, entry["name"]
            header = mirror["request_headers_mutations"][0]["append"]["header"]
            assert header == {"key": "x-strangler-shadow", "value": "1"}


def test_canary_weights_hash_policy_and_overrides() -> None:
    _, hcm, found = _render(sample_model("all_stages"))
    routes = hcm["route_config"]["virtual_hosts"][0]["routes"]
    split = [r for r in routes if "weighted_clusters" in r["route"]]
    assert split, "the canary route has weighted clusters"
    for entry in split:
        clusters = entry["route"]["weighted_clusters"]
        assert clusters["use_hash_policy"] is True
        assert [(c["name"], c["weight"]) for c in clusters["clusters"]] == [
            ("catalog", 25), ("monolith", 75)]
        assert entry["route"]["hash_policy"][0] == {"header": {"header_name": "x-user"},
                                                    "terminal": True}
        assert entry["match"]["path_separated_prefix"] == "/api/catalog"
    names = [r["name"] for r in routes]
    first_split = names.index(split[0]["name"])
    assert names[first_split - 4:first_split] == [
        f"catalog:idempotent:{kind}" for kind in
        ("header-service", "header-monolith", "cookie-service", "cookie-monolith")]
    assert ("catalog", "canary rewrite") in {(f.route, f.feature) for f in found}


def test_clusters_carry_circuit_health_and_pool() -> None:
    text, _, _ = _render(sample_model("all_stages"))
    clusters = {c["name"]: c for c in yaml.safe_load(text)["static_resources"]["clusters"]}
    accounts = clusters["accounts"]
    assert accounts["type"] == "STRICT_DNS" and clusters["catalog"]["type"] == "STATIC"
    assert accounts["outlier_detection"]["consecutive_5xx"] == 3
    assert accounts["outlier_detection"]["base_ejection_time"] == "7s"
    assert accounts["common_lb_config"]["healthy_panic_threshold"] == {"value": 0}
    assert accounts["health_checks"][0]["http_health_check"] == {"path": "/healthz"}
    assert accounts["connect_timeout"] == "5s"


def _first_match(routes: list[dict[str, Any]], method: str, path: str,
                 headers: dict[str, str]) -> dict[str, Any]:
    """Envoy's route selection: the first entry whose path and header matchers all hold."""
    request = {":method": method, ":authority": headers.get("host", "x"), **headers}
    for entry in routes:
        match = entry["match"]
        if "prefix" in match and not path.startswith(match["prefix"]):
            continue
        if "path" in match and path != match["path"]:
            continue
        if "path_separated_prefix" in match:
            value = match["path_separated_prefix"]
            if not (path == value or path.startswith(value + "/")):
                continue
        if "safe_regex" in match and not re.fullmatch(match["safe_regex"]["regex"], path):
            continue
        ok = True
        for header in match.get("headers", []):
            got = request.get(header["name"])
            want = header["string_match"]
            if got is None or ("exact" in want and got != want["exact"]) or (
                    "safe_regex" in want and not re.fullmatch(want["safe_regex"]["regex"], got)):
                ok = False
        if ok:
            return entry
    raise AssertionError("no Envoy route matched")


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_envoy_sends_requests_where_strangler_does(name: str) -> None:
    model = sample_model(name)
    from strangler_proxy.routes_file import parse_table

    table = parse_table(SAMPLES[name])
    _, hcm, _ = _render(model)
    routes = hcm["route_config"]["virtual_hosts"][0]["routes"]
    paths = ["/", "/api/catalog", "/api/catalog/", "/api/catalog/x", "/api/catalogue",
             "/api/legacy/a", "/api/titles/9/reviews/", "/api/accounts/me", "/api/back/z"]
    for method in ("GET", "POST"):
        for path in paths:
            for headers in ({}, {"x-tenant": 'acme "quoted"', "host": "shop.example"}):
                decision = table.decide(method, headers.get("host", "x"), path, headers,
                                        canary=lambda *_: True)
                entry = _first_match(routes, method, path, headers)
                action = entry["route"]
                clusters = ([c["name"] for c in action["weighted_clusters"]["clusters"]]
                            if "weighted_clusters" in action else [action["cluster"]])
                assert decision.primary in clusters, (method, path, headers, entry["name"])


def test_same_input_same_bytes() -> None:
    assert _render(sample_model("conditions"))[0] == _render(sample_model("conditions"))[0]


def test_host_rewrite_per_side_when_the_host_is_not_preserved() -> None:
    text, hcm, found = _render(sample_model("proxy_settings"))
    _typed(text)
    routes = hcm["route_config"]["virtual_hosts"][0]["routes"]
    split = next(r for r in routes if "weighted_clusters" in r["route"])
    assert [c["host_rewrite_literal"] for c in split["route"]["weighted_clusters"]["clusters"]] \
        == ["127.0.0.1:9001", "127.0.0.1:9000"]
    back = next(r for r in routes if r["name"] == "back:idempotent")
    assert back["route"]["host_rewrite_literal"] == "127.0.0.1:9001"
    assert back["route"]["regex_rewrite"] == {"pattern": {"regex": "^/?(.*)$"},
                                              "substitution": "/internal/\\1"}
    assert ("*", "trusted proxies") in {(f.route, f.feature) for f in found}
