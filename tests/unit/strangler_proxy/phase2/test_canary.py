import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strangler_proxy.canary import (
    BUCKETS,
    CanaryConfig,
    StickyKey,
    bucket,
    decide,
    extract_key,
    forced_side,
    in_canary,
    parse_cookies,
    parse_sticky,
)

POPULATION = [f"session-{i:05d}-{i * 7919 % 104729}" for i in range(10_000)]


def scope(headers=(), client=("10.0.0.7", 5555)):
    return {"type": "http", "headers": [(k.encode(), v.encode()) for k, v in headers],
            "client": client}


def test_bucket_is_stable_and_in_range():
    assert bucket("abc", "catalog") == bucket("abc", "catalog")
    assert all(0 <= bucket(k, "catalog") < BUCKETS for k in POPULATION[:500])
    # known value: the hash must not change between releases (or every user moves side)
    assert bucket("abc", "catalog") == int.from_bytes(
        __import__("hashlib").blake2b(b"catalog\x00abc", digest_size=8).digest(), "big") % BUCKETS


def test_route_name_salts_the_bucket():
    same = sum(bucket(k, "catalog") == bucket(k, "orders") for k in POPULATION)
    assert same < 20  # ~1 expected by chance


def test_raising_percent_keeps_everyone_already_in_the_canary():
    buckets = [bucket(k, "catalog") for k in POPULATION]
    at_10 = {k for k, b in zip(POPULATION, buckets) if in_canary(b, 10)}
    at_20 = {k for k, b in zip(POPULATION, buckets) if in_canary(b, 20)}
    assert at_10 <= at_20
    assert abs(len(at_10) / len(POPULATION) - 0.10) <= 0.015
    assert abs(len(at_20) / len(POPULATION) - 0.20) <= 0.015


@pytest.mark.parametrize("percent", [0, 1, 25, 50, 99, 100])
def test_share_matches_percent(percent):
    share = sum(in_canary(bucket(k, "r"), percent) for k in POPULATION) / len(POPULATION)
    assert abs(share - percent / 100) <= 0.015
    if percent in (0, 100):
        assert share == percent / 100


def test_fractional_percent_and_bounds():
    assert in_canary(49, 0.5) and not in_canary(50, 0.5)
    assert not in_canary(0, 0)
    assert in_canary(BUCKETS - 1, 100)


def test_parse_sticky():
    assert parse_sticky("cookie:sessionid") == StickyKey("cookie", "sessionid")
    assert parse_sticky("header:X-User") == StickyKey("header", "x-user")
    assert parse_sticky("client") == StickyKey("client")
    for bad in ("cookie:", "query:x", "sessionid", ""):
        with pytest.raises(ValueError, match="cookie:NAME"):
            parse_sticky(bad)


def test_parse_cookies_from_raw_headers():
    raw = [(b"cookie", b'csrftoken=abc; sessionid="s1"; flag'), (b"Cookie", b"sessionid=s2"),
           (b"accept", b"x=1")]
    cookies = parse_cookies(raw)
    assert cookies["csrftoken"] == "abc"
    assert cookies["sessionid"] == "s2"  # a later duplicate wins, as in Django
    assert cookies[""] == "flag"
    assert "x" not in cookies
    assert parse_cookies([(b"cookie", b'sessionid="quoted"')])["sessionid"] == "quoted"


def test_extract_key_by_source():
    s = scope([("cookie", "a=1; sessionid=xyz"), ("x-user", " u42 ")])
    assert extract_key(s, StickyKey("cookie", "sessionid")) == "xyz"
    assert extract_key(s, StickyKey("header", "x-user")) == "u42"
    assert extract_key(s, StickyKey("client")) == "10.0.0.7"
    assert extract_key(s, StickyKey("client"), client="192.0.2.1") == "192.0.2.1"
    assert extract_key(s, StickyKey("cookie", "missing")) is None
    assert extract_key(scope([("cookie", "sessionid=")]), StickyKey("cookie", "sessionid")) is None


def test_same_session_always_same_side():
    config = CanaryConfig()
    sides = {decide(scope([("cookie", "sessionid=user-1")], client=(f"10.0.0.{i}", 1)),
                    "catalog", 50, config).side for i in range(20)}
    assert len(sides) == 1  # sticky by cookie, whatever the client address


def test_forced_override_header_and_cookie():
    config = CanaryConfig()
    key = next(k for k in POPULATION if not in_canary(bucket(k, "catalog"), 10))
    base = [("cookie", f"sessionid={key}")]
    assert decide(scope(base), "catalog", 10, config).side == "monolith"
    forced = decide(scope(base + [("x-strangler-canary", "Service")]), "catalog", 10, config)
    assert (forced.side, forced.reason, forced.bucket) == ("service", "forced", None)
    by_cookie = scope([("cookie", f"sessionid={key}; strangler_canary=service")])
    assert decide(by_cookie, "catalog", 10, config).side == "service"
    assert decide(by_cookie, "catalog", 100, CanaryConfig(allow_override=True)).side == "service"
    assert forced_side(scope([("x-strangler-canary", "monolith")]), config) == "monolith"
    assert forced_side(scope([("x-strangler-canary", "maybe")]), config) is None
    off = CanaryConfig(allow_override=False)
    assert decide(scope(base + [("x-strangler-canary", "service")]), "catalog", 10,
                  off).side == "monolith"


def test_custom_override_names():
    config = CanaryConfig(override_header="x-force", override_cookie="force")
    assert forced_side(scope([("x-force", "service")]), config) == "service"
    assert forced_side(scope([("cookie", "force=monolith")]), config) == "monolith"
    assert forced_side(scope([("x-strangler-canary", "service")]), config) is None


def test_missing_key_falls_back_to_client_address_by_default():
    config = CanaryConfig()
    first = decide(scope(client=("203.0.113.9", 1000)), "catalog", 50, config)
    again = decide(scope(client=("203.0.113.9", 2000)), "catalog", 50, config)
    assert first.reason == "client-fallback"
    assert first == again
    assert first.bucket == bucket("client:203.0.113.9", "catalog")
    # over many addresses the fallback still honours the percent
    share = sum(decide(scope(client=(f"10.1.{i // 256}.{i % 256}", 1)), "catalog", 30,
                       config).side == "service" for i in range(5000)) / 5000
    assert abs(share - 0.30) <= 0.03


def test_missing_key_rules_monolith_and_random():
    no_client = scope(client=None)
    assert decide(no_client, "r", 100, CanaryConfig()).reason == "no-key"
    assert decide(scope(), "r", 100, CanaryConfig(missing="monolith")).side == "monolith"
    rng = random.Random(7)
    decisions = [decide(scope(), "r", 40, CanaryConfig(missing="random"), rng=rng)
                 for _ in range(4000)]
    assert {d.reason for d in decisions} == {"random"}
    share = sum(d.side == "service" for d in decisions) / len(decisions)
    assert abs(share - 0.40) <= 0.03
    # not sticky: the same request lands on both sides over time
    assert len({d.side for d in decisions}) == 2


@settings(max_examples=200, database=None, deadline=None)
@given(keys=st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=50),
       low=st.floats(0, 100), high=st.floats(0, 100), route=st.text(max_size=10))
def test_canary_membership_only_grows_with_percent(keys, low, high, route):
    low, high = sorted((low, high))
    for key in keys:
        b = bucket(key, route)
        assert not (in_canary(b, low) and not in_canary(b, high))
