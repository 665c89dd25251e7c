"""``strangler export``: compile a routes file to nginx, Envoy or Kubernetes Gateway API.

::

    result = export_file("routes.toml", "nginx", listen="127.0.0.1:8080", standalone=True)
    result.files        # {"strangler.conf": "...", "nginx.conf": "..."}
    result.limitations  # what nginx cannot express, also written into the files as comments

The file is read with the proxy's own loader (``RoutesFileError`` on bad input); each target
is a pure function of the ``ExportModel``, so the same file always gives the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from strangler_proxy.export.envoy import render_envoy
from strangler_proxy.export.gateway_api import render_gateway_api
from strangler_proxy.export.limitations import Limitation
from strangler_proxy.export.nginx import render_nginx
from strangler_proxy.export.source import load_model

__all__ = ["TARGETS", "ExportResult", "Limitation", "export_file"]

TARGETS: tuple[str, ...] = ("nginx", "envoy", "gateway-api")
DEFAULT_LISTEN = "127.0.0.1:8080"


@dataclass(frozen=True, slots=True)
class ExportResult:
    files: dict[str, str]  # file name -> text, in a stable order
    limitations: list[Limitation]


def export_file(path: str | Path, target: str, *, listen: str = DEFAULT_LISTEN,
                standalone: bool = False, gateway: str = "strangler",
                namespace: str = "default") -> ExportResult:
    """Compile ``path`` for ``target`` (one of ``TARGETS``)."""
    model = load_model(path)
    if target == "nginx":
        files, found = render_nginx(model, listen=listen, standalone=standalone)
    elif target == "envoy":
        files, found = render_envoy(model, listen=listen)
    elif target == "gateway-api":
        files, found = render_gateway_api(model, gateway=gateway, namespace=namespace)
    else:
        raise ValueError(f"unknown target {target!r}; expected one of {', '.join(TARGETS)}")
    return ExportResult(files=files, limitations=found)
