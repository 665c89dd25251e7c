import tomllib

from strangler_proxy.canary import StickyKey
from strangler_proxy.policies import (
    RoutePolicy,
    ShadowPolicy,
    parse_route_policy,
    parse_state_options,
    should_shadow,
)

FULL = """
[[routes]]
name = "catalog"
path = "/api/catalog/"
stage = "shadow"
sticky = "header:X-User-Id"
sticky_missing = "monolith"
canary_steps = [5, 25, 100]
reverse_shadow = true

[routes.shadow]
sample_rate = 0.25
methods = ["GET", "POST"]
unsafe_methods = true
max_body_bytes = 65536
timeout = 0.5
learn_noise = true
noise_sample_rate = 0.05

[routes.compare]
ignore = ["results[*].updated_at", "**.etag"]
unordered = ["results"]
abs_tolerance = 0.01
rel_tolerance = 0.001
headers = ["Content-Type", "X-Total"]
status = false
builtin_normalizers = false
max_differences = 20

[routes.redact]
fields = ["**.ssn"]
query = ["sig"]
headers = ["X-Api-Secret"]

[routes.canary]
allow_override = false
override_header = "X-Force-Side"
override_cookie = "force_side"

[routes.gates]
min_compared = 500
min_match_rate = 0.995
max_candidate_error_rate = 0.002
max_p99_ratio = 1.2

[routes.gates.auto_rollback]
error_budget = 0.02
window_seconds = 30
min_requests = 50
"""


def test_full_route_table():
    route = tomllib.loads(FULL)["routes"][0]
    policy, errors = parse_route_policy(route, "routes[0]")
    assert errors == []
    assert policy.canary.sticky == StickyKey("header", "x-user-id")
    assert policy.canary.missing == "monolith" and not policy.canary.allow_override
    assert policy.canary.override_header == "x-force-side"
    assert policy.canary_steps == (5, 25, 100) and policy.reverse_shadow
    assert policy.shadow == ShadowPolicy(sample_rate=0.25, methods=frozenset({"GET", "POST"}),
                                         unsafe_methods=True, max_body_bytes=65536, timeout=0.5,
                                         learn_noise=True, noise_sample_rate=0.05)
    rules = policy.compare
    assert rules.is_ignored("results[4].updated_at") and rules.is_ignored("a.b.etag")
    assert rules.is_unordered("results") and rules.headers == ("content-type", "x-total")
    assert (rules.abs_tolerance, rules.rel_tolerance, rules.compare_status,
            rules.builtin_normalizers, rules.max_differences) == (0.01, 0.001, False, False, 20)
    assert policy.redact.is_secret_path("user.ssn") and "sig" in policy.redact.query
    assert "x-api-secret" in policy.redact.headers and "authorization" in policy.redact.headers
    assert policy.gates.min_compared == 500 and policy.gates.max_p99_ratio == 1.2
    assert policy.auto_rollback.enabled and policy.auto_rollback.min_requests == 50


def test_defaults_when_nothing_is_configured():
    policy, errors = parse_route_policy({"name": "x", "path": "/x/"})
    assert errors == [] and policy == RoutePolicy(redact=policy.redact)
    assert policy.shadow.methods == frozenset({"GET", "HEAD", "OPTIONS"})
    assert policy.canary.sticky == StickyKey("cookie", "sessionid")


def test_every_error_is_reported_with_its_key_path():
    route = {
        "sticky": "query:x", "sticky_missing": "guess", "canary_steps": [50, 10],
        "shadow": {"sample_rate": 2, "methods": ["GET", "DELETE"], "timeout": "1s",
                   "extra": 1},
        "compare": {"ignore": ["results[x"], "abs_tolerance": -1},
        "redact": {"fields": "password"},
        "gates": {"min_compared": -5, "auto_rollback": {"error_budget": True}},
        "canary": {"allow_override": "yes"},
    }
    policy, errors = parse_route_policy(route, "routes[3]")
    keys = sorted(e.key for e in errors)
    assert keys == sorted([
        "routes[3].sticky", "routes[3].sticky_missing", "routes[3].canary_steps",
        "routes[3].shadow.sample_rate", "routes[3].shadow.methods", "routes[3].shadow.timeout",
        "routes[3].shadow.extra", "routes[3].compare.ignore", "routes[3].compare.abs_tolerance",
        "routes[3].redact.fields", "routes[3].gates.min_compared",
        "routes[3].gates.auto_rollback.error_budget", "routes[3].canary.allow_override"])
    by_key = {e.key: e.message for e in errors}
    assert "unsafe_methods = true" in by_key["routes[3].shadow.methods"]
    assert "cannot parse" in by_key["routes[3].compare.ignore"]
    assert str(errors[0]).startswith("routes[3].")
    # bad keys fall back to defaults, so the value is still usable
    assert policy.shadow.sample_rate == 1.0 and policy.canary_steps == (10, 50, 100)


def test_sub_table_of_the_wrong_type():
    _, errors = parse_route_policy({"shadow": 3}, "routes[0]")
    assert [(e.key, e.message) for e in errors] == [("routes[0].shadow", "must be a table")]


def test_should_shadow_decisions():
    policy = ShadowPolicy(sample_rate=0.5, max_body_bytes=100)
    assert should_shadow(policy, "get", 10, 0.1) == "shadow"
    assert should_shadow(policy, "GET", None, 0.1) == "shadow"
    assert should_shadow(policy, "GET", 10, 0.5) == "sampled_out"
    assert should_shadow(policy, "GET", 101, 0.0) == "too_large"
    assert should_shadow(policy, "POST", 10, 0.0) == "method"
    listed_only = ShadowPolicy(methods=frozenset({"GET", "POST"}))
    assert should_shadow(listed_only, "POST", 1, 0.0) == "method"  # still needs the opt-in
    opted_in = ShadowPolicy(methods=frozenset({"GET", "POST"}), unsafe_methods=True)
    assert should_shadow(opted_in, "POST", 1, 0.0) == "shadow"
    assert should_shadow(opted_in, "DELETE", 1, 0.0) == "method"


def test_state_options():
    options, errors = parse_state_options({"store": "sqlite:///s.db", "examples_per_route": 5,
                                           "shadow_workers": 0})
    assert options.examples_per_route == 5
    assert [e.key for e in errors] == ["state.shadow_workers"]
