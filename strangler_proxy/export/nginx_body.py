"""The directives that proxy one route (or the default) inside a location.

The answer comes from ``proxy_pass`` to the upstream block of the answering side (a
``$strangler_canary_R`` variable naming the block for a split canary); the copy comes from
``mirror`` to an internal location per route. Rewrites use ``rewrite ... break`` on nginx's
normalised ``$uri``, and only on the way to the service, as in strangler.
"""

from __future__ import annotations

from strangler_proxy.export.limitations import Limitation
from strangler_proxy.export.model import IDEMPOTENT, SAFE, Backend, ExportModel, ExportRoute
from strangler_proxy.export.nginx_syntax import block, duration, ident, quote, upstream_name

__all__ = ["mirror_locations", "proxy_body", "proxy_upstream"]

MIRROR_PREFIX = "/.strangler/mirror/"


def proxy_upstream(route: ExportRoute | None, model: ExportModel) -> str:
    """The upstream block a route's answer goes to (the fallback block when it has one)."""
    if route is None:
        return upstream_name(model.default)
    name = upstream_name(route.primary)
    if route.route.fallback and route.primary != model.default:
        return f"{name}_fallback"
    return name


def proxy_body(route: ExportRoute | None, model: ExportModel,
               found: list[Limitation]) -> list[str]:
    lines: list[str] = []
    if route is not None and route.mirror is not None:
        lines += [f"mirror {MIRROR_PREFIX}{ident(route.name)};", "mirror_request_body on;"]
    rewrite: list[str] = []
    if route is not None and route.rewrites and route.percent > 0:
        regex, replacement = route.rewrite_regex()
        rewrite = [f"rewrite {quote(regex)} {quote(replacement.replace('{rest}', '$1'))} break;"]
    if route is not None and route.split:
        rid = ident(route.name)
        service = upstream_name(route.service or "")
        if rewrite:
            lines += [f"if ($strangler_canary_{rid} = {service}) {{ {rewrite[0]} }}"]
        lines.append(f"proxy_pass http://$strangler_canary_{rid};")
        backend = model.backend(route.service or model.default)
        monolith = model.backend(model.default)
        if _timeouts(backend) != _timeouts(monolith):
            found.append(Limitation(route.name, "timeouts", f"one location serves both sides "
                                    f"of the canary: it uses {backend.name}'s timeouts"))
        lines += _headers(model, _host(model, backend, route))
    else:
        backend = model.backend(route.primary if route is not None else model.default)
        lines += rewrite
        lines.append(f"proxy_pass http://{proxy_upstream(route, model)};")
        lines += _headers(model, _host(model, backend, None))
    lines += _timeout_lines(backend)
    # nginx retries the next server of the block; "non_idempotent" is left out on purpose,
    # so POST, PATCH (and LOCK...) are never sent twice, as in strangler.
    tries = backend.spec.retries + 1 + (1 if route is not None and route.route.fallback else 0)
    lines += ["proxy_next_upstream error timeout;", f"proxy_next_upstream_tries {tries};"]
    return lines


def mirror_locations(model: ExportModel, found: list[Limitation]) -> list[str]:
    """One internal location per mirrored route: the copy, marked and filtered like ours."""
    lines: list[str] = []
    for route in model.routes:
        if route.mirror is None:
            continue
        rid = ident(route.name)
        target = model.backend(route.mirror)
        shadow = route.policy.shadow
        uri = (f"$strangler_mirror_uri_{rid}"
               if route.rewrites and route.mirror == route.service else "$request_uri")
        body = ["internal;",
                "# nginx mirrors but cannot compare: the copy's answer is thrown away"]
        methods = sorted(shadow.methods if shadow.unsafe_methods else shadow.methods & SAFE)
        if set(methods) != set(IDEMPOTENT) | {"POST", "PATCH"}:
            body.append(f"if ($request_method !~ {quote('^(?:' + '|'.join(methods) + ')$')}) "
                        "{ return 204; }")
        if shadow.sample_rate < 1.0:
            body.append(f'if ($strangler_sample_{rid} = "") {{ return 204; }}')
        body += [f"proxy_pass http://{upstream_name(target.name)}{uri};",
                 "proxy_set_header X-Strangler-Shadow 1;",
                 *_headers(model, _host(model, target, None)),
                 f"proxy_connect_timeout {duration(min(shadow.timeout, target.spec.connect_timeout))};",
                 f"proxy_read_timeout {duration(shadow.timeout)};",
                 f"proxy_send_timeout {duration(shadow.timeout)};"]
        if shadow.max_body_bytes:
            found.append(Limitation(route.name, "shadow body limit", "nginx copies bodies of "
                                    "any size (max_body_bytes only bounds the comparison)"))
        lines += block(f"location = {MIRROR_PREFIX}{rid}", body)
        lines.append("")
    return lines


def _timeouts(backend: Backend) -> tuple[float, float, float]:
    spec = backend.spec
    return spec.connect_timeout, spec.read_timeout, spec.write_timeout


def _timeout_lines(backend: Backend) -> list[str]:
    connect, read, write = _timeouts(backend)
    return [f"proxy_connect_timeout {duration(connect)};", f"proxy_read_timeout {duration(read)};",
            f"proxy_send_timeout {duration(write)};"]


def _host(model: ExportModel, backend: Backend, route: ExportRoute | None) -> str:
    if model.proxy.preserve_host:
        return "$http_host"
    if route is not None:
        return f"$strangler_host_{ident(route.name)}"
    return backend.address


def _headers(model: ExportModel, host: str) -> list[str]:
    """Forwarding headers; repeated per location because nginx inherits proxy_set_header
    only into locations that set none of their own."""
    trusted = bool(model.proxy.trusted_proxies)
    xff = "$strangler_xff" if trusted else "$remote_addr"
    proto = "$strangler_xfp" if trusted else "$scheme"
    fhost = "$strangler_xfh" if trusted else "$http_host"
    return [f"proxy_set_header Host {host};",
            f"proxy_set_header X-Forwarded-For {xff};",
            f"proxy_set_header X-Forwarded-Proto {proto};",
            f"proxy_set_header X-Forwarded-Host {fhost};",
            "proxy_set_header X-Request-ID $strangler_request_id;",
            'proxy_set_header Connection "";']
