"""The Gateway API export: HTTPRoute objects checked against the v1 CRD's constraints."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from strangler_proxy.export.gateway_api import render_gateway_api
from strangler_proxy.export.model import ExportModel
from tests.unit.strangler_proxy.export.gateway_schema import problems
from tests.unit.strangler_proxy.export.policy_samples import POLICY_MODELS
from tests.unit.strangler_proxy.export.samples import SAMPLES, sample_model


def _render(model: ExportModel) -> tuple[str, list[dict[str, Any]], list[Any]]:
    files, found = render_gateway_api(model, gateway="edge", namespace="shop")
    text = files["httproutes.yaml"]
    return text, list(yaml.safe_load_all(text)), found


def _all_models() -> dict[str, ExportModel]:
    return {**{name: sample_model(name) for name in SAMPLES}, **POLICY_MODELS()}


@pytest.mark.parametrize("name", sorted([*SAMPLES, "sampled_shadow", "no_override",
                                         "reverse_shadow"]))
def test_every_object_fits_the_crd(name: str) -> None:
    _, docs, _ = _render(_all_models()[name])
    assert docs
    for doc in docs:
        assert problems(doc) == [], doc["metadata"]["name"]
        assert doc["spec"]["parentRefs"] == [{"name": "edge"}]
        assert doc["metadata"]["namespace"] == "shop"


def test_the_checker_finds_broken_objects() -> None:
    _, docs, _ = _render(sample_model("all_stages"))
    broken = copy.deepcopy(docs[0])
    rule = broken["spec"]["rules"][0]
    rule["matches"][0]["path"]["type"] = "Prefix"
    rule["backendRefs"][0]["weight"] = -1
    rule["filters"] = [{"type": "URLRewrite"}]
    broken["spec"]["rules"] *= 9  # 18 rules
    found = problems(broken)
    assert any("path.type" in p for p in found)
    assert any("weight" in p for p in found)
    assert any("URLRewrite needs urlRewrite" in p for p in found)
    assert any("at most 16" in p for p in found)


def _rules(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [rule for doc in docs for rule in doc["spec"]["rules"]]


def test_stages_become_backend_refs_and_filters() -> None:
    _, docs, found = _render(sample_model("all_stages"))
    rules = _rules(docs)
    assert rules[0]["matches"] == [{"path": {"type": "Exact", "value": "/api/accounts/me"}}]
    assert rules[0]["backendRefs"] == [{"name": "accounts", "port": 9002}]
    mirrored = rules[1]
    assert {m["method"] for m in mirrored["matches"]} == {"GET", "HEAD", "OPTIONS"}
    assert mirrored["matches"][0]["path"] == {"type": "RegularExpression",
                                              "value": "^/api/titles/[^/]+/reviews/$"}
    assert mirrored["filters"] == [{"type": "RequestMirror", "requestMirror": {
        "backendRef": {"name": "catalog", "port": 9001}}}]
    assert mirrored["backendRefs"] == [{"name": "monolith", "port": 9000}]
    assert "filters" not in rules[2]  # the other methods are not copied
    canary = next(r for r in rules if r["matches"][0]["path"]["value"] == "/api/catalog")
    assert [(b["name"], b["weight"]) for b in canary["backendRefs"]] == [
        ("catalog", 25), ("monolith", 75)]
    assert canary["backendRefs"][0]["filters"] == [{"type": "URLRewrite", "urlRewrite": {
        "path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": "/v2"}}}]
    assert rules[-1] == {"matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                         "backendRefs": [{"name": "monolith", "port": 9000}]}
    features = {(f.route, f.feature) for f in found}
    assert {("catalog", "sticky canary"), ("titles", "shadow marker"),
            ("titles", "response comparison"), ("legacy", "prefix slash")} <= features


def test_hosts_get_their_own_httproute_and_headers_match() -> None:
    _, docs, _ = _render(sample_model("conditions"))
    names = [doc["metadata"]["name"] for doc in docs]
    assert names == ["strangler", "strangler-shop-example-www-shop-example"]
    hosted = docs[1]["spec"]
    assert hosted["hostnames"] == ["shop.example", "www.shop.example"]
    assert hosted["rules"][0]["matches"][0]["headers"] == [
        {"type": "Exact", "name": "x-tenant", "value": 'acme "quoted"'}]


def test_rewrite_that_is_not_the_matched_prefix_is_listed() -> None:
    _, docs, found = _render(sample_model("proxy_settings"))
    back = next(r for r in _rules(docs) if r["matches"][0]["path"]["value"] == "/api/back")
    assert "filters" not in back
    assert ("back", "rewrite") in {(f.route, f.feature) for f in found}


def test_many_rules_split_into_several_objects(tmp_path: Any) -> None:
    routes = "".join(f'\n[[routes]]\nname = "r{i}"\npath = "/p{i:02d}/"\nupstream = "catalog"\n'
                     f'stage = "service"\n' for i in range(20))
    from strangler_proxy.export.model import build_model
    from strangler_proxy.routes_file import parse_table

    model = build_model(parse_table(SAMPLES["all_stages"].split("[[routes]]")[0] + routes), {})
    _, docs, found = _render(model)
    assert [len(doc["spec"]["rules"]) for doc in docs] == [16, 5]
    assert all(problems(doc) == [] for doc in docs)
    assert ("*", "several HTTPRoutes") in {(f.route, f.feature) for f in found}


def test_same_input_same_bytes() -> None:
    assert _render(sample_model("conditions"))[0] == _render(sample_model("conditions"))[0]
