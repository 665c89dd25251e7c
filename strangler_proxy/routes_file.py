"""Routes TOML -> a validated ``RouteTable``; every problem reported at once with its line.

``tomllib`` reads the values; a small index of the raw text (``_LineIndex``) finds the line of
each key, so an error reads ``routes.toml:14: routes[1].stage: 'canery' is not one of ...``.
Unknown keys are errors with a did-you-mean, so a typo never passes silently.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from strangler_proxy.errors import Issue, RoutesFileError
from strangler_proxy.policies import RoutePolicy, parse_route_policy, parse_state_options
from strangler_proxy.policy_reader import PolicyError
from strangler_proxy.routes import (
    DEFAULT_MAX_CLIENT_CONNECTIONS,
    STAGES,
    AdminSettings,
    CircuitSettings,
    HealthCheck,
    PathMatch,
    ProxySettings,
    Route,
    RouteTable,
    UpstreamSpec,
)

__all__ = ["is_loopback", "load_table", "parse_table"]

TOP_KEYS = ("default", "upstreams", "routes", "admin", "state", "proxy")
UPSTREAM_KEYS = ("url", "connect_timeout", "read_timeout", "write_timeout", "pool_timeout",
                 "max_connections", "max_idle_connections", "idle_timeout", "retries",
                 "health_check", "circuit")
# sticky, sticky_missing, canary_steps, reverse_shadow and the sub-tables are read by
# ``policies.parse_route_policy`` (the one owner of those keys); this module checks the rest.
POLICY_KEYS = ("sticky", "sticky_missing", "canary_steps", "reverse_shadow", "shadow",
               "compare", "redact", "canary", "gates")
ROUTE_KEYS = ("name", "path", "exact", "pattern", "methods", "upstream", "stage", "percent",
              "hosts", "headers", "strip_prefix", "add_prefix", "fallback", "identity",
              *POLICY_KEYS)
PROXY_KEYS = ("trusted_proxies", "internal_prefix", "max_header_bytes", "max_body_bytes",
              "client_body_timeout", "client_send_timeout", "access_log", "preserve_host",
              "watch", "demo", "fast_path", "max_client_connections")
ADMIN_KEYS = ("listen", "token_env", "allow_remote")
STATE_KEYS = ("store", "examples_per_route", "example_max_bytes", "shadow_queue_size",
              "shadow_workers")
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"})
_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
_TABLE_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")
_KEY_LINE = re.compile(r"^\s*([A-Za-z0-9_\-\"'. ]+?)\s*=")


class _LineIndex:
    """Maps a key path such as ``("routes", 2, "stage")`` to its line in the raw text."""

    def __init__(self, text: str) -> None:
        self.lines: dict[tuple[Any, ...], int] = {}
        counters: dict[str, int] = {}
        table: tuple[Any, ...] = ()
        for number, line in enumerate(text.splitlines(), start=1):
            header = _TABLE_HEADER.match(line)
            if header:
                parts = tuple(_split_dotted(header.group(2)))
                if header.group(1) == "[[":
                    joined = ".".join(parts)
                    index = counters.get(joined, -1) + 1
                    counters[joined] = index
                    table = (*parts, index)
                else:
                    # [routes.shadow] belongs to the latest [[routes]]: put its index in
                    table = ()
                    for depth, part in enumerate(parts, start=1):
                        table = (*table, part)
                        joined = ".".join(parts[:depth])
                        if joined in counters and depth < len(parts):
                            table = (*table, counters[joined])
                self.lines.setdefault(table, number)
                continue
            key = _KEY_LINE.match(line)
            if key and not line.lstrip().startswith("#"):
                self.lines.setdefault((*table, *_split_dotted(key.group(1))), number)

    def line(self, *path: Any) -> int:
        """The line of the key, or of its closest enclosing table, or 1."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return 1


def _split_dotted(raw: str) -> list[str]:
    return [part.strip().strip("\"'") for part in raw.split(".")]


def _undotted(key: str) -> tuple[Any, ...]:
    """``routes[2].shadow.rate`` -> ``("routes", 2, "shadow", "rate")``."""
    parts: list[Any] = []
    for piece in key.split("."):
        name, *indices = piece.split("[")
        if name:
            parts.append(name)
        parts.extend(int(i.rstrip("]")) for i in indices if i.rstrip("]").isdigit())
    return tuple(parts)


def _dotted(path: tuple[Any, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class _Checker:
    """Collects issues while reading one file's values."""

    def __init__(self, file: str, index: _LineIndex) -> None:
        self.file = file
        self.index = index
        self.issues: list[Issue] = []

    def error(self, path: tuple[Any, ...], message: str) -> None:
        self.issues.append(Issue(self.file, self.index.line(*path), _dotted(path), message))

    def policy_errors(self, errors: list[PolicyError]) -> None:
        """Errors of ``policies`` (key paths as text) with the line of their key."""
        for problem in errors:
            self.issues.append(Issue(self.file, self.index.line(*_undotted(problem.key)),
                                     problem.key, problem.message))

    def known_keys(self, data: dict[str, Any], allowed: tuple[str, ...],
                   path: tuple[Any, ...]) -> None:
        for key in data:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = (f"; did you mean {close[0]!r}?" if close
                        else f"; known keys: {', '.join(allowed)}")
                self.error((*path, key), f"unknown key{hint}")

    def get(self, data: dict[str, Any], key: str, kind: type | tuple[type, ...],
            path: tuple[Any, ...], default: Any = None) -> Any:
        if key not in data:
            return default
        value = data[key]
        # bool is an int in Python; never accept true where a number is meant.
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            self.error((*path, key), f"expected {_kind_name(kind)}, got {value!r}")
            return default
        if not isinstance(value, kind):
            self.error((*path, key), f"expected {_kind_name(kind)}, got {value!r}")
            return default
        return value

    def number(self, data: dict[str, Any], key: str, path: tuple[Any, ...], default: float,
               *, minimum: float = 0.0, integer: bool = False) -> Any:
        kind: Any = int if integer else (int, float)
        value = self.get(data, key, kind, path, default)
        if value < minimum:
            self.error((*path, key), f"must be at least {minimum:g}, got {value!r}")
            return default
        return value


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {int: "an integer", float: "a number", str: "a string", bool: "true or false",
             list: "a list", dict: "a table"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return names[float] if float in kinds else " or ".join(names.get(k, k.__name__) for k in kinds)


def load_table(path: str | Path) -> RouteTable:
    """Read and validate a routes file; raise ``RoutesFileError`` with every issue."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RoutesFileError([Issue(str(path), 1, "(file)", f"cannot read: {exc}")]) from exc
    return parse_table(text, str(path))


def parse_table(text: str, file: str = "<routes>") -> RouteTable:
    """Validate TOML text; raise ``RoutesFileError`` with every issue, sorted by line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        line = int(found.group(1)) if found else 1
        raise RoutesFileError([Issue(file, line, "(toml)", str(exc))]) from exc
    check = _Checker(file, _LineIndex(text))
    check.known_keys(data, TOP_KEYS, ())
    upstreams = _upstreams(check, data)
    default = check.get(data, "default", str, (), None)
    if default is None:
        if "default" not in data:
            check.error(("default",), "missing: name the upstream for requests no route matches")
    elif default not in upstreams and upstreams:
        check.error(("default",), _unknown_upstream(default, upstreams))
    routes = _routes(check, data, upstreams)
    proxy = _proxy(check, data)
    admin = _admin(check, data)
    state = check.get(data, "state", dict, (), {})
    check.known_keys(state, STATE_KEYS, ("state",))
    store = check.get(state, "store", str, ("state",), "")
    options, errors = parse_state_options({k: v for k, v in state.items() if k != "store"})
    check.policy_errors(errors)
    if check.issues:
        raise RoutesFileError(check.issues)
    return RouteTable(default=default, upstreams=upstreams, routes=tuple(routes), proxy=proxy,
                      admin=admin, state_store=store, state=options, source=file)


def _unknown_upstream(name: str, upstreams: dict[str, UpstreamSpec]) -> str:
    close = difflib.get_close_matches(name, list(upstreams), n=1)
    hint = (f"; did you mean {close[0]!r}?" if close
            else f"; defined: {', '.join(sorted(upstreams))}")
    return f"no upstream named {name!r}{hint}"


def _upstreams(check: _Checker, data: dict[str, Any]) -> dict[str, UpstreamSpec]:
    raw = check.get(data, "upstreams", dict, (), {})
    if not raw:
        check.error(("upstreams",), "missing: define at least [upstreams.NAME] url = ...")
    specs: dict[str, UpstreamSpec] = {}
    for name, body in raw.items():
        path: tuple[Any, ...] = ("upstreams", name)
        if not isinstance(body, dict):
            check.error(path, "expected a table with url = ...")
            continue
        if not _NAME.match(name):
            check.error(path, "names use letters, digits, '_', '-', '.'")
        check.known_keys(body, UPSTREAM_KEYS, path)
        url = check.get(body, "url", str, path, "")
        if not url:
            check.error((*path, "url"), "missing: the upstream's base URL, e.g. http://127.0.0.1:8000")
        else:
            parts = urlsplit(url)
            if parts.scheme != "http" or not parts.hostname or parts.path not in ("", "/") \
                    or parts.query or parts.fragment:
                check.error((*path, "url"),
                            f"expected http://HOST[:PORT] with no path, got {url!r}")
        health = _health(check, body, path)
        circuit_raw = check.get(body, "circuit", dict, path, {})
        check.known_keys(circuit_raw, ("failures", "cooldown"), (*path, "circuit"))
        circuit = CircuitSettings(
            failures=check.number(circuit_raw, "failures", (*path, "circuit"), 5, integer=True),
            cooldown=check.number(circuit_raw, "cooldown", (*path, "circuit"), 10.0))
        specs[name] = UpstreamSpec(
            name=name, url=url.rstrip("/"),
            connect_timeout=check.number(body, "connect_timeout", path, 5.0, minimum=0.001),
            read_timeout=check.number(body, "read_timeout", path, 30.0, minimum=0.001),
            write_timeout=check.number(body, "write_timeout", path, 30.0, minimum=0.001),
            pool_timeout=check.number(body, "pool_timeout", path, 5.0, minimum=0.001),
            max_connections=check.number(body, "max_connections", path, 100, minimum=1,
                                         integer=True),
            max_idle_connections=check.number(body, "max_idle_connections", path, 32,
                                              integer=True),
            idle_timeout=check.number(body, "idle_timeout", path, 30.0),
            retries=check.number(body, "retries", path, 1, integer=True),
            health_check=health, circuit=circuit)
    return specs


def _health(check: _Checker, body: dict[str, Any], path: tuple[Any, ...]) -> HealthCheck | None:
    raw = check.get(body, "health_check", dict, path, None)
    if raw is None:
        return None
    where = (*path, "health_check")
    check.known_keys(raw, ("path", "interval", "timeout"), where)
    probe = check.get(raw, "path", str, where, "/")
    if not probe.startswith("/"):
        check.error((*where, "path"), f"must start with '/', got {probe!r}")
    return HealthCheck(path=probe,
                       interval=check.number(raw, "interval", where, 10.0, minimum=0.05),
                       timeout=check.number(raw, "timeout", where, 2.0, minimum=0.01))


def _routes(check: _Checker, data: dict[str, Any],
            upstreams: dict[str, UpstreamSpec]) -> list[Route]:
    raw = check.get(data, "routes", list, (), [])
    routes: list[Route] = []
    names: dict[str, int] = {}
    for i, body in enumerate(raw):
        path: tuple[Any, ...] = ("routes", i)
        if not isinstance(body, dict):
            check.error(path, "expected a [[routes]] table")
            continue
        check.known_keys(body, ROUTE_KEYS, path)
        route = _route(check, body, path, i, upstreams)
        if route is None:
            continue
        if route.name in names:
            check.error((*path, "name"), f"duplicate route name {route.name!r} "
                                         f"(first at routes[{names[route.name]}])")
        names.setdefault(route.name, i)
        routes.append(route)
    return routes


def _route(check: _Checker, body: dict[str, Any], path: tuple[Any, ...], index: int,
           upstreams: dict[str, UpstreamSpec]) -> Route | None:
    name = check.get(body, "name", str, path, "")
    if not name:
        check.error((*path, "name"), "missing: every route needs a name")
    match = _path_match(check, body, path)
    stage = check.get(body, "stage", str, path, "monolith")
    if stage not in STAGES:
        close = difflib.get_close_matches(stage, STAGES, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        check.error((*path, "stage"), f"{stage!r} is not one of {', '.join(STAGES)}{hint}")
        stage = "monolith"
    upstream = check.get(body, "upstream", str, path, None)
    if upstream is not None and upstream not in upstreams:
        check.error((*path, "upstream"), _unknown_upstream(upstream, upstreams))
    if upstream is None and stage != "monolith":
        check.error((*path, "upstream"), f"stage {stage} needs the service's upstream")
    percent = check.get(body, "percent", int, path, 0)
    if not 0 <= percent <= 100:
        check.error((*path, "percent"), f"must be 0-100, got {percent}")
    methods_raw = check.get(body, "methods", list, path, None)
    methods: frozenset[str] | None = None
    if methods_raw is not None:
        methods = frozenset(str(m).upper() for m in methods_raw)
        for bad in sorted(methods - METHODS):
            check.error((*path, "methods"),
                        f"unknown method {bad!r}; known: {', '.join(sorted(METHODS))}")
        if not methods:
            check.error((*path, "methods"),
                        "empty list matches nothing; remove the key for all methods")
    hosts = check.get(body, "hosts", list, path, [])
    headers = check.get(body, "headers", dict, path, {})
    for key, value in headers.items():
        if not isinstance(value, str):
            check.error((*path, "headers", key), f"expected a string, got {value!r}")
    strip = check.get(body, "strip_prefix", str, path, "")
    add = check.get(body, "add_prefix", str, path, "")
    for key, value in (("strip_prefix", strip), ("add_prefix", add)):
        if value and not value.startswith("/"):
            check.error((*path, key), f"must start with '/', got {value!r}")
    policy = _policy(check, body, path)
    return Route(
        name=name, match=match or PathMatch("prefix", "/"), stage=stage, upstream=upstream,
        methods=methods, hosts=tuple(str(h).lower() for h in hosts),
        headers=tuple((str(k).lower(), str(v)) for k, v in headers.items()),
        percent=percent, sticky=policy.canary.sticky if "sticky" in body else None,
        strip_prefix=strip, add_prefix=add,
        fallback=check.get(body, "fallback", bool, path, False),
        identity=check.get(body, "identity", bool, path, False),
        reverse_shadow=policy.reverse_shadow, policy=policy, index=index,
        line=check.index.line(*path))


def _policy(check: _Checker, body: dict[str, Any], path: tuple[Any, ...]) -> RoutePolicy:
    policy, errors = parse_route_policy(
        {k: v for k, v in body.items() if k in POLICY_KEYS}, _dotted(path))
    check.policy_errors(errors)
    return policy


def _path_match(check: _Checker, body: dict[str, Any], path: tuple[Any, ...]) -> PathMatch | None:
    given = [key for key in ("path", "exact", "pattern") if key in body]
    if len(given) != 1:
        check.error(path, "give exactly one of path (prefix), exact or pattern"
                          + (f"; found {', '.join(given)}" if given else ""))
        return None
    key = given[0]
    value = check.get(body, key, str, path, "")
    if not value.startswith("/"):
        check.error((*path, key), f"must start with '/', got {value!r}")
        return None
    if "//" in value or "/./" in value or "/../" in value or "%" in value:
        # Requests are normalised before matching; a non-normal path could never match.
        check.error((*path, key), "write the normalised path (no '//', dot segments or "
                                  f"%-escapes): {value!r}")
    if key == "pattern":
        for segment in value.split("/"):
            braced = "{" in segment or "}" in segment
            if braced and not re.fullmatch(r"\{[A-Za-z_]\w*\}", segment):
                check.error((*path, key),
                            f"a parameter fills a whole segment, like {{id}}: {segment!r}")
    kind = {"path": "prefix", "exact": "exact", "pattern": "pattern"}[key]
    return PathMatch(kind, value)  # type: ignore[arg-type]


def _proxy(check: _Checker, data: dict[str, Any]) -> ProxySettings:
    raw = check.get(data, "proxy", dict, (), {})
    path: tuple[Any, ...] = ("proxy",)
    check.known_keys(raw, PROXY_KEYS, path)
    trusted = check.get(raw, "trusted_proxies", list, path, [])
    for cidr in trusted:
        try:
            ipaddress.ip_network(str(cidr), strict=False)
        except ValueError:
            check.error((*path, "trusted_proxies"), f"not an IP address or CIDR: {cidr!r}")
    prefix = check.get(raw, "internal_prefix", str, path, "/-/")
    if not (prefix.startswith("/") and prefix.endswith("/") and len(prefix) > 1):
        check.error((*path, "internal_prefix"),
                    f"must look like '/-/' (slashes both ends), got {prefix!r}")
    return ProxySettings(
        trusted_proxies=tuple(str(c) for c in trusted), internal_prefix=prefix,
        max_header_bytes=check.number(raw, "max_header_bytes", path, 16384, minimum=256,
                                      integer=True),
        max_body_bytes=check.number(raw, "max_body_bytes", path, 0, integer=True),
        client_body_timeout=check.number(raw, "client_body_timeout", path, 60.0,
                                         minimum=0.1),
        client_send_timeout=check.number(raw, "client_send_timeout", path, 60.0,
                                         minimum=0.1),
        max_client_connections=check.number(raw, "max_client_connections", path,
                                            DEFAULT_MAX_CLIENT_CONNECTIONS, integer=True),
        access_log=check.get(raw, "access_log", bool, path, True),
        preserve_host=check.get(raw, "preserve_host", bool, path, True),
        watch=check.get(raw, "watch", bool, path, True),
        demo=check.get(raw, "demo", bool, path, False),
        fast_path=check.get(raw, "fast_path", bool, path, True))


def _admin(check: _Checker, data: dict[str, Any]) -> AdminSettings:
    raw = check.get(data, "admin", dict, (), {})
    path: tuple[Any, ...] = ("admin",)
    check.known_keys(raw, ADMIN_KEYS, path)
    listen = check.get(raw, "listen", str, path, "127.0.0.1:8081")
    host, _, port = listen.rpartition(":")
    if not host or not port.isdigit():
        check.error((*path, "listen"), f"expected HOST:PORT, got {listen!r}")
    allow_remote = check.get(raw, "allow_remote", bool, path, False)
    if host and not allow_remote and not is_loopback(host):
        check.error((*path, "listen"), f"{host} is not a loopback address; the admin API "
                                       "moves traffic: set allow_remote = true to expose it")
    return AdminSettings(listen=listen,
                         token_env=check.get(raw, "token_env", str, path, "STRANGLER_ADMIN_TOKEN"),
                         allow_remote=allow_remote)


def is_loopback(host: str) -> bool:
    """True for ``localhost``, ``127.x.y.z`` and ``::1`` (brackets allowed)."""
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
