"""The http-level variables of the nginx export: ``map``, ``geo`` and ``split_clients``.

Each route that needs one gets its own variables, named after the route (``ident``):

- ``$strangler_when_R``: 1 when the route's methods, hosts and headers all match;
- ``$strangler_key_R`` -> ``$strangler_split_R`` -> ``$strangler_canary_R``: the sticky key
  (with the ``sticky_missing`` rule), the ``split_clients`` bucket, then the forced override
  (header first, then cookie), giving the name of the upstream that answers;
- ``$strangler_sample_R``: non-empty for the share of requests the mirror copies;
- ``$strangler_mirror_uri_R``: the raw request URI, rewritten for the service.
"""

from __future__ import annotations

from strangler_proxy.export.limitations import Limitation
from strangler_proxy.export.model import ExportModel, ExportRoute
from strangler_proxy.export.nginx_syntax import block, ident, quote, regex_literal, upstream_name

__all__ = ["http_maps"]

_VALID_REQUEST_ID = "~^[A-Za-z0-9._:-]{1,128}$"  # the proxy's headers._VALID_ID


def header_var(name: str) -> str:
    return "$http_" + name.lower().replace("-", "_")


def cookie_var(name: str, lines: list[str]) -> str:
    """``$cookie_NAME`` when nginx can spell it, else a map over the Cookie header."""
    if name.replace("_", "").isalnum() and name.isascii():
        return f"$cookie_{name}"
    var = f"$strangler_cookie_{ident(name)}"
    pattern = f'~(?:^|;)\\s*{regex_literal(name)}="?(?<strangler_c>[^;"]*)'
    lines += block(f"map $http_cookie {var}", [f"{quote(pattern)} $strangler_c;",
                                               'default "";'])
    return var


def http_maps(model: ExportModel, found: list[Limitation]) -> list[str]:
    """Every http-level line the server block relies on; limitations go to ``found``."""
    lines = block("map $http_x_request_id $strangler_request_id",
                  [f"{quote(_VALID_REQUEST_ID)} $http_x_request_id;", "default $request_id;"])
    lines += _forwarding(model)
    for route in model.routes:
        if route.conditional:
            lines += _conditions(route, found)
        if route.split:
            lines += _canary(route, model, found)
        if route.mirror is not None:
            lines += _mirror(route)
    return lines


def _forwarding(model: ExportModel) -> list[str]:
    trusted = model.proxy.trusted_proxies
    if not trusted:
        return []
    # Believe the client's X-Forwarded-* only from trusted peers, as the proxy does.
    lines = block("geo $strangler_trusted_peer",
                  ["default 0;", *(f"{cidr} 1;" for cidr in trusted)])
    lines += block("map $strangler_trusted_peer $strangler_xff",
                   ["1 $proxy_add_x_forwarded_for;", "default $remote_addr;"])
    for var, header, fallback in (("xfp", "$http_x_forwarded_proto", "$scheme"),
                                  ("xfh", "$http_x_forwarded_host", "$http_host")):
        lines += block(f'map "$strangler_trusted_peer{header}" $strangler_{var}',
                       ['"~^1(?<strangler_v>.+)$" $strangler_v;', f"default {fallback};"])
    return lines


def _conditions(route: ExportRoute, found: list[Limitation]) -> list[str]:
    rid = ident(route.name)
    lines: list[str] = []
    parts: list[str] = []
    if route.methods is not None:
        parts.append(_flag(lines, f"m_{rid}", "$request_method",
                           "^(?:" + "|".join(route.methods) + ")$"))
    if route.route.hosts:
        hosts = "|".join(regex_literal(h) for h in route.route.hosts)
        parts.append(_flag(lines, f"h_{rid}", "$host", f"^(?:{hosts})$"))
    for i, (name, value) in enumerate(route.route.headers):
        if "_" in name:
            found.append(Limitation(route.name, "header condition", f"nginx ignores request "
                                    f"headers with '_' ({name}) unless underscores_in_headers "
                                    "is on"))
        parts.append(_flag(lines, f"hd{i}_{rid}", header_var(name),
                           f"^{regex_literal(value)}$"))
    lines += block(f"map {quote(''.join(parts))} $strangler_when_{rid}",
                   [f"{quote('1' * len(parts))} 1;", "default 0;"])
    return lines


def _flag(lines: list[str], name: str, source: str, regex: str) -> str:
    lines += block(f"map {source} $strangler_{name}", [f"{quote('~' + regex)} 1;", "default 0;"])
    return f"$strangler_{name}"


def _canary(route: ExportRoute, model: ExportModel, found: list[Limitation]) -> list[str]:
    rid, config = ident(route.name), route.canary
    service, monolith = upstream_name(route.service or ""), upstream_name(route.default)
    lines: list[str] = []
    sticky = config.sticky
    if sticky.source == "client":
        source = "$remote_addr"
        if model.proxy.trusted_proxies:
            found.append(Limitation(route.name, "sticky key", "sticky = client hashes the "
                                    "peer address; strangler uses the address from trusted "
                                    "X-Forwarded-For"))
    elif sticky.source == "header":
        source = header_var(sticky.name)
        if "_" in sticky.name:
            found.append(Limitation(route.name, "sticky key", f"nginx ignores request headers "
                                    f"with '_' ({sticky.name}) unless underscores_in_headers "
                                    "is on"))
    else:
        source = cookie_var(sticky.name, lines)
    missing = {"client": '"client:$remote_addr"', "random": "$request_id",
               "monolith": '""'}[config.missing]
    if sticky.source == "client":
        key = "$remote_addr"  # always present
    else:
        key = f"$strangler_key_{rid}"
        lines += block(f"map {source} {key}", [f'"" {missing};', f"default {source};"])
    found.append(Limitation(route.name, "sticky canary", f"split_clients hashes "
                            f"{sticky} with MurmurHash2, strangler with BLAKE2b: the share is "
                            f"the same ({route.percent}%) and sticky, but not the same users"))
    lines += block(f'split_clients "{_plain(route.name)}{key}" '
                   f"$strangler_split_{rid}", [f"{route.percent}% {service};", f"* {monolith};"])
    entries: list[str] = []
    if config.allow_override:
        # header first (its value before the first '|'), then the cookie (between the bars)
        for where in ("^\\s*{side}\\s*\\|", "^[^|]*\\|\\s*{side}\\s*\\|"):
            for side, target in (("service", service), ("monolith", monolith)):
                entries.append(f"{quote('~*' + where.format(side=side))} {target};")
        over = (header_var(config.override_header) + "|"
                + cookie_var(config.override_cookie, lines) + "|")
    else:
        over = "||"
    if config.missing == "monolith":
        entries.append(quote("~^[^|]*\\|[^|]*\\|$") + f" {monolith};")
    entries.append(f"default $strangler_split_{rid};")
    lines += block(f'map "{over}{key}" $strangler_canary_{rid}', entries)
    if not model.proxy.preserve_host:  # the Host header names whichever side answers
        lines += block(f"map $strangler_canary_{rid} $strangler_host_{rid}",
                       [f"{service} {quote(model.backend(route.service or '').address)};",
                        f"default {quote(model.backend(route.default).address)};"])
    return lines


def _mirror(route: ExportRoute) -> list[str]:
    rid = ident(route.name)
    lines: list[str] = []
    rate = route.policy.shadow.sample_rate
    if rate < 1.0:
        share = f"{rate * 100:.2f}".rstrip("0").rstrip(".")
        body = [f"{share}% 1;", '* "";'] if rate > 0 else ['* "";']
        lines += block(f'split_clients "$request_id" $strangler_sample_{rid}', body)
    if route.rewrites and route.mirror == route.service:
        regex, replacement = route.rewrite_regex()
        # over the raw URI: keep the query string, rewrite only the path before it
        raw_regex = regex.removesuffix("(.*)$") + "([^?]*)(\\?.*)?$"
        lines += block(f"map $request_uri $strangler_mirror_uri_{rid}",
                       [f"{quote('~' + raw_regex)} {quote(replacement.replace('{rest}', '$1') + '$2')};",
                        "default $request_uri;"])
    return lines


def _plain(text: str) -> str:
    return text.replace("\\", "").replace('"', "").replace("$", "")
