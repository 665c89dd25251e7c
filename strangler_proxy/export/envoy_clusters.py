"""Envoy clusters: one per upstream, with its pool, timeouts, health check and circuit."""

from __future__ import annotations

import ipaddress
from typing import Any

from strangler_proxy.export.limitations import Limitation
from strangler_proxy.export.model import Backend, ExportModel

__all__ = ["clusters", "seconds"]

HTTP_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions"


def seconds(value: float) -> str:
    """A protobuf Duration in JSON form: ``5s``, ``0.25s``."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return f"{text}s"


def clusters(model: ExportModel, found: list[Limitation]) -> list[dict[str, Any]]:
    return [_cluster(backend, found) for backend in model.all_backends()]


def _cluster(backend: Backend, found: list[Limitation]) -> dict[str, Any]:
    spec = backend.spec
    try:
        ipaddress.ip_address(backend.host)
        discovery = "STATIC"
    except ValueError:
        discovery = "STRICT_DNS"
    cluster: dict[str, Any] = {
        "name": backend.name, "type": discovery,
        "connect_timeout": seconds(spec.connect_timeout),
        "load_assignment": {"cluster_name": backend.name, "endpoints": [{"lb_endpoints": [{
            "endpoint": {"address": {"socket_address": {
                "address": backend.host, "port_value": backend.port}}}}]}]},
        "circuit_breakers": {"thresholds": [{"max_connections": spec.max_connections,
                                             "max_pending_requests": spec.max_connections}]},
        "typed_extension_protocol_options": {HTTP_OPTIONS: {
            "@type": f"type.googleapis.com/{HTTP_OPTIONS}",
            "common_http_protocol_options": {"idle_timeout": seconds(spec.idle_timeout)},
            "explicit_http_config": {"http_protocol_options": {}}}},
    }
    if spec.circuit.failures:
        # strangler's breaker: N consecutive failures open it for `cooldown` seconds.
        # No panic mode: with every host ejected Envoy answers 503, as an open circuit does.
        cluster["outlier_detection"] = {
            "consecutive_5xx": spec.circuit.failures,
            "consecutive_gateway_failure": spec.circuit.failures,
            "interval": seconds(min(spec.circuit.cooldown, 1.0)),
            "base_ejection_time": seconds(spec.circuit.cooldown),
            "max_ejection_percent": 100}
        cluster["common_lb_config"] = {"healthy_panic_threshold": {"value": 0}}
        found.append(Limitation("*", "circuit half-open probe", f"{backend.name}: Envoy "
                                "re-admits an ejected host after base_ejection_time (longer "
                                "after each ejection) instead of one probe request"))
    if spec.health_check is not None:
        check = spec.health_check
        cluster["health_checks"] = [{
            "timeout": seconds(check.timeout), "interval": seconds(check.interval),
            "unhealthy_threshold": 1, "healthy_threshold": 1,
            "http_health_check": {"path": check.path}}]
    return cluster
