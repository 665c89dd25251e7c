"""Routes TOML -> table: every key, and every error with file, line and key, all at once."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from strangler_proxy.errors import RoutesFileError
from strangler_proxy.canary import StickyKey
from strangler_proxy.routes import HealthCheck
from strangler_proxy.routes_file import load_table, parse_table

FULL = """\
default = "monolith"

[upstreams.monolith]
url = "http://127.0.0.1:8000"

[upstreams.catalog]
url = "http://127.0.0.1:8001/"
connect_timeout = 1
read_timeout = 2.5
write_timeout = 3
pool_timeout = 4
max_connections = 10
max_idle_connections = 5
idle_timeout = 9
retries = 2
health_check = { path = "/health", interval = 3, timeout = 1 }
circuit = { failures = 3, cooldown = 7.5 }

[[routes]]
name = "catalog"
path = "/api/catalog/"
methods = ["get", "HEAD"]
upstream = "catalog"
stage = "canary"
percent = 10
sticky = "cookie:sessionid"
hosts = ["Shop.example"]
headers = { X-Beta = "1" }
strip_prefix = "/api"
add_prefix = "/v1"
fallback = true

[[routes]]
name = "titles"
pattern = "/api/titles/{id}/"
upstream = "catalog"
stage = "shadow"

[[routes]]
name = "home"
exact = "/"

[admin]
listen = "127.0.0.1:9000"
token_env = "MY_TOKEN"

[state]
store = "sqlite:///state.db"

[proxy]
trusted_proxies = ["10.0.0.0/8", "127.0.0.1"]
internal_prefix = "/_proxy/"
max_header_bytes = 8192
max_body_bytes = 1048576
client_body_timeout = 12.5
client_send_timeout = 30
access_log = false
preserve_host = false
watch = false
"""


def test_every_key_is_read() -> None:
    table = parse_table(FULL, "routes.toml")
    assert table.default == "monolith"
    catalog = table.upstreams["catalog"]
    assert catalog.url == "http://127.0.0.1:8001"
    assert (catalog.connect_timeout, catalog.read_timeout, catalog.write_timeout,
            catalog.pool_timeout) == (1, 2.5, 3, 4)
    assert (catalog.max_connections, catalog.max_idle_connections, catalog.idle_timeout,
            catalog.retries) == (10, 5, 9, 2)
    assert catalog.health_check == HealthCheck(path="/health", interval=3, timeout=1)
    assert (catalog.circuit.failures, catalog.circuit.cooldown) == (3, 7.5)
    routes = {r.name: r for r in table.routes}
    c = routes["catalog"]
    assert c.methods == frozenset({"GET", "HEAD"})
    assert (c.stage, c.percent, c.sticky) == ("canary", 10, StickyKey("cookie", "sessionid"))
    assert c.hosts == ("shop.example",)
    assert c.headers == (("x-beta", "1"),)
    assert (c.strip_prefix, c.add_prefix, c.fallback, c.line) == ("/api", "/v1", True, 19)
    assert routes["titles"].match.kind == "pattern"
    assert routes["home"].match.kind == "exact"
    assert routes["home"].upstream is None
    assert table.admin.listen == "127.0.0.1:9000"
    assert table.admin.token_env == "MY_TOKEN"
    assert table.state_store == "sqlite:///state.db"
    proxy = table.proxy
    assert proxy.trusted_proxies == ("10.0.0.0/8", "127.0.0.1")
    assert (proxy.internal_prefix, proxy.max_header_bytes, proxy.max_body_bytes,
            proxy.client_body_timeout, proxy.client_send_timeout) == (
        "/_proxy/", 8192, 1048576, 12.5, 30)
    assert (proxy.access_log, proxy.preserve_host, proxy.watch) == (False, False, False)


def test_architecture_example_is_valid() -> None:
    text = textwrap.dedent('''
        default = "monolith"
        [upstreams.monolith]
        url = "http://127.0.0.1:8000"
        [upstreams.catalog]
        url = "http://127.0.0.1:8001"
        [[routes]]
        name = "catalog"
        path = "/api/catalog/"
        methods = ["GET", "HEAD"]
        upstream = "catalog"
        stage = "shadow"
        percent = 10
        sticky = "cookie:sessionid"
        [admin]
        listen = "127.0.0.1:8081"
        token_env = "STRANGLER_ADMIN_TOKEN"
        [state]
        store = "sqlite:///strangler-state.db"
    ''')
    assert parse_table(text).routes[0].stage == "shadow"


BROKEN = """\
defualt = "monolith"
[upstreams.monolith]
url = "ftp://127.0.0.1:8000/x"
read_timeout = "soon"
circuit = { failures = -1 }
[[routes]]
name = "a"
path = "api/a"
stage = "canery"
upstream = "monolit"
percent = 140
sticky = "cookie"
[[routes]]
name = "a"
path = "/b/"
exact = "/b/"
methods = ["FETCH"]
fallback = "yes"
stagee = "service"
[proxy]
trusted_proxies = ["not-an-ip"]
internal_prefix = "-"
[extra]
x = 1
"""


def test_every_error_at_once_with_file_line_and_key() -> None:
    with pytest.raises(RoutesFileError) as caught:
        parse_table(BROKEN, "routes.toml")
    found = [str(issue) for issue in caught.value.issues]
    expected = [
        "routes.toml:1: defualt: unknown key; did you mean 'default'?",
        "routes.toml:3: upstreams.monolith.url: expected http://HOST[:PORT] with no path",
        "routes.toml:4: upstreams.monolith.read_timeout: expected a number, got 'soon'",
        "routes.toml:5: upstreams.monolith.circuit.failures: must be at least 0, got -1",
        "routes.toml:8: routes[0].path: must start with '/', got 'api/a'",
        "routes.toml:9: routes[0].stage: 'canery' is not one of monolith, shadow, canary, "
        "service; did you mean 'canary'?",
        "routes.toml:10: routes[0].upstream: no upstream named 'monolit'; did you mean 'monolith'?",
        "routes.toml:11: routes[0].percent: must be 0-100, got 140",
        "routes.toml:12: routes[0].sticky: sticky must be cookie:NAME, header:NAME or client",
        "routes.toml:13: routes[1]: give exactly one of path (prefix), exact or pattern; "
        "found path, exact",
        "routes.toml:14: routes[1].name: duplicate route name 'a' (first at routes[0])",
        "routes.toml:17: routes[1].methods: unknown method 'FETCH'",
        "routes.toml:18: routes[1].fallback: expected true or false, got 'yes'",
        "routes.toml:19: routes[1].stagee: unknown key; did you mean 'stage'?",
        "routes.toml:21: proxy.trusted_proxies: not an IP address or CIDR: 'not-an-ip'",
        "routes.toml:22: proxy.internal_prefix: must look like '/-/'",
        "routes.toml:23: extra: unknown key",
        "routes.toml:1: default: missing",
    ]
    for wanted in expected:
        assert any(line.startswith(wanted) for line in found), (wanted, found)
    assert len(found) == len(expected)


def test_toml_syntax_error_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "routes.toml"
    path.write_text('default = "m"\n[upstreams.m]\nurl = "http://x\n')
    with pytest.raises(RoutesFileError) as caught:
        load_table(path)
    (issue,) = caught.value.issues
    assert (issue.file, issue.line, issue.key) == (str(path), 3, "(toml)")


def test_missing_file_is_an_issue_not_a_crash(tmp_path: Path) -> None:
    with pytest.raises(RoutesFileError, match="cannot read"):
        load_table(tmp_path / "nope.toml")


@pytest.mark.parametrize(("snippet", "message"), [
    ('[[routes]]\nname = "r"\npath = "/a//b/"', "write the normalised path"),
    ('[[routes]]\nname = "r"\npattern = "/a/{id/"', "a parameter fills a whole segment"),
    ('[[routes]]\nname = "r"\npath = "/a/"\nstage = "service"',
     "stage service needs the service's upstream"),
    ('[[routes]]\nname = "r"\npath = "/a/"\nmethods = []', "empty list matches nothing"),
    ('[[routes]]\nname = "r"\npath = "/a/"\npercent = true', "expected an integer, got True"),
    ('[admin]\nlisten = "nowhere"', "expected HOST:PORT"),
])
def test_route_level_checks(snippet: str, message: str) -> None:
    text = 'default = "m"\n[upstreams.m]\nurl = "http://127.0.0.1:1"\n' + snippet + "\n"
    with pytest.raises(RoutesFileError, match=message):
        parse_table(text)


def test_a_client_body_timeout_must_be_positive() -> None:
    text = ('default = "m"\n[upstreams.m]\nurl = "http://127.0.0.1:9"\n'
            '[proxy]\nclient_body_timeout = 0\n')
    with pytest.raises(RoutesFileError) as caught:
        parse_table(text, "routes.toml")
    assert [str(issue) for issue in caught.value.issues] == [
        "routes.toml:5: proxy.client_body_timeout: must be at least 0.1, got 0"]

