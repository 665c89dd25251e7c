"""The nginx export as text: locations, variables, upstreams, limitations, determinism.

The real nginx runs these configs in ``test_nginx_real.py``; here each feature is pinned to
the directive that carries it.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from strangler_proxy.export.nginx import render_nginx
from tests.unit.strangler_proxy.export.policy_samples import POLICY_MODELS
from tests.unit.strangler_proxy.export.samples import sample_model


def _conf(name: str, **policies: dict) -> tuple[str, list]:
    files, found = render_nginx(sample_model(name, policies or None), listen="127.0.0.1:8080")
    assert list(files) == ["strangler.conf"]
    return files["strangler.conf"], found


def _location(text: str, header: str) -> str:
    start = text.index(header + " {")
    return text[start:text.index("\n    }\n", start)]


def test_locations_per_match_kind_in_nginx_order() -> None:
    text, _ = _conf("all_stages")
    headers = re.findall(r"^    (location [^{]+) \{$", text, re.MULTILINE)
    assert headers[:6] == [
        "location = /api/accounts/me",
        "location = /api/catalog",  # the prefix without '/' is exact + prefix-with-slash
        'location ~ "^/api/titles/[^/]+/reviews/$"',
        "location /api/catalog/",
        "location /api/legacy/",
        "location /",
    ]
    assert "^~" not in text  # it would hide the pattern routes under a prefix
    assert _location(text, "location = /api/catalog").split("\n", 2)[1:] == \
        _location(text, "location /api/catalog/").split("\n", 2)[1:]


def test_stages_map_to_proxy_pass_split_and_mirror() -> None:
    text, _ = _conf("all_stages")
    legacy = _location(text, "location /api/legacy/")
    assert "proxy_pass http://strangler_monolith;" in legacy
    titles = _location(text, 'location ~ "^/api/titles/[^/]+/reviews/$"')
    assert "mirror /.strangler/mirror/titles;" in titles
    assert "proxy_pass http://strangler_monolith;" in titles
    mirror = _location(text, "location = /.strangler/mirror/titles")
    assert "internal;" in mirror and "proxy_set_header X-Strangler-Shadow 1;" in mirror
    assert "proxy_pass http://strangler_catalog$request_uri;" in mirror
    assert "nginx mirrors but cannot compare" in mirror
    assert '"^(?:GET|HEAD|OPTIONS)$"' in mirror
    catalog = _location(text, "location /api/catalog/")
    assert "proxy_pass http://$strangler_canary_catalog;" in catalog
    assert ('if ($strangler_canary_catalog = strangler_catalog) { rewrite '
            '"^(?:/api/catalog)?/?(.*)$" "/v2/$1" break; }') in catalog
    assert 'split_clients "catalog$strangler_key_catalog" $strangler_split_catalog' in text
    assert "    25% strangler_catalog;\n    * strangler_monolith;" in text
    assert "map $http_x_user $strangler_key_catalog" in text  # sticky = header:X-User
    assert '"" "client:$remote_addr";' in text  # sticky_missing = client (the default)


def test_service_fallback_timeouts_retries_and_keepalive() -> None:
    text, _ = _conf("all_stages")
    me = _location(text, "location = /api/accounts/me")
    assert "proxy_pass http://strangler_accounts_fallback;" in me
    assert "proxy_read_timeout 2500ms;" in me and "proxy_connect_timeout 5s;" in me
    fallback = text[text.index("upstream strangler_accounts_fallback {"):]
    assert "server 127.0.0.1:9000 backup;" in fallback.split("}")[0]
    catalog = text[text.index("upstream strangler_catalog {"):].split("}")[0]
    assert catalog.count("server 127.0.0.1:9001 ") == 3  # retries = 2
    assert "keepalive 32;" in catalog
    assert "proxy_next_upstream error timeout;" in me
    assert "non_idempotent" not in text
    assert "proxy_set_header X-Request-ID $strangler_request_id;" in me
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in me


def test_conditions_dispatch_to_named_locations_and_fall_through() -> None:
    text, _ = _conf("conditions")
    catalog = _location(text, "location /api/catalog/")
    lines = catalog.splitlines()
    jumps = [line.strip() for line in lines if "return 56" in line]
    # tenant (host + header: two conditions) outranks reads (methods: one)
    assert jumps == ["if ($strangler_when_tenant) { return 561; }",
                     "if ($strangler_when_reads) { return 562; }"]
    assert "error_page 562 = @strangler_reads;" in catalog
    # neither condition held: the covering route "/" (a 40% canary) answers, not the default
    assert "proxy_pass http://$strangler_canary_root;" in catalog
    assert '"~^(?:GET|HEAD)$" 1;' in text
    assert '"~^(?:shop\\\\.example|www\\\\.shop\\\\.example)$" 1;' in text
    assert 'map "$strangler_h_tenant$strangler_hd0_tenant" $strangler_when_tenant' in text
    assert "location @strangler_tenant {" in text
    # a cookie name nginx cannot spell as $cookie_NAME is read from the Cookie header
    assert "map $http_cookie $strangler_cookie_my_session_" in text
    assert 'split_clients "tenant$remote_addr"' in text  # sticky = client


def test_trusted_proxies_and_host_rewrite() -> None:
    text, _ = _conf("proxy_settings")
    assert "geo $strangler_trusted_peer {\n    default 0;\n    10.0.0.0/8 1;\n}" in text
    assert "proxy_set_header X-Forwarded-For $strangler_xff;" in text
    back = _location(text, "location /api/back/")
    assert "proxy_set_header Host 127.0.0.1:9001;" in back
    assert 'rewrite "^/?(.*)$" "/internal/$1" break;' in back
    assert "map $strangler_canary_catalog $strangler_host_catalog" in text
    assert "client_max_body_size 1048576;" in text
    assert "client_body_timeout 60s;" in text  # the routes file's defaults, as nginx's
    assert "send_timeout 60s;" in text


def test_policy_variants() -> None:
    models = POLICY_MODELS()
    text = render_nginx(models["sampled_shadow"], listen="127.0.0.1:1")[0]["strangler.conf"]
    assert 'split_clients "$request_id" $strangler_sample_titles {\n    25% 1;' in text
    assert 'if ($strangler_sample_titles = "") { return 204; }' in text
    assert '"^(?:GET|POST)$"' in text  # unsafe_methods opted in
    assert '"~^[^|]*\\\\|[^|]*\\\\|$" strangler_monolith;' in text  # sticky_missing = monolith
    text = render_nginx(models["no_override"], listen="127.0.0.1:1")[0]["strangler.conf"]
    assert 'map "||$strangler_key_root" $strangler_canary_root' in text
    assert '"" $request_id;' in text  # sticky_missing = random
    text = render_nginx(models["reverse_shadow"], listen="127.0.0.1:1")[0]["strangler.conf"]
    assert "proxy_pass http://strangler_monolith$request_uri;" in text


@pytest.mark.parametrize("name", ["all_stages", "conditions", "proxy_settings"])
def test_limitations_are_comments_and_results(name: str) -> None:
    text, found = _conf(name)
    assert found == sorted(set(found))
    for item in found:
        assert f"#   - {item}" in text
    features = {item.feature for item in found}
    assert "stage changes" in features and "path normalisation" in features


def test_limitations_name_what_nginx_cannot_do() -> None:
    _, found = _conf("all_stages")
    by_route = {(item.route, item.feature) for item in found}
    assert ("titles", "response comparison") in by_route
    assert ("titles", "promotion gates") in by_route
    assert ("catalog", "sticky canary") in by_route
    assert ("*", "health checks") in by_route
    text = render_nginx(POLICY_MODELS()["sampled_shadow"], listen="127.0.0.1:1")[1]
    assert {("titles", "noise learning"), ("catalog", "auto-rollback")} <= {
        (item.route, item.feature) for item in text}


def test_same_input_same_bytes() -> None:
    first = render_nginx(sample_model("conditions"), listen="127.0.0.1:8080", standalone=True)
    second = render_nginx(sample_model("conditions"), listen="127.0.0.1:8080", standalone=True)
    assert first == second
    assert "include strangler.conf;" in first[0]["nginx.conf"]


def test_worker_connections_hold_the_client_cap_and_the_upstream_pools() -> None:
    model = sample_model("conditions")
    pools = sum(backend.spec.max_connections for backend in model.all_backends())
    conf = render_nginx(model, listen="127.0.0.1:8080", standalone=True)[0]["nginx.conf"]
    # the routes file's default cap (4096 client connections per worker) plus the pools
    assert f"worker_connections {4096 + pools};" in conf
    uncapped = replace(model, proxy=replace(model.proxy, max_client_connections=0))
    conf = render_nginx(uncapped, listen="127.0.0.1:8080", standalone=True)[0]["nginx.conf"]
    assert "worker_connections 1024;" in conf
