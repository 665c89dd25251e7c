"""The proxy's one exception tree: HTTP status only in ``app``, exit codes only in the CLI.

::

    ProxyError
    ├── ConfigError                  the routes file cannot be used (CLI exit 2; a reload
    │   │                            keeps the old table)
    │   └── RoutesFileError          every ``Issue`` (file, line, key, message) found at once
    ├── ControlError                 a stage or admin request that cannot be done
    │   ├── UnknownRoute             no route of that name (admin 404, CLI exit 2)
    │   ├── StageRequestError        invalid stage/percent for the route (admin 400, exit 2)
    │   └── AdminUnreachable         the CLI cannot use the admin API: not running, no
    │                                token, token refused (exit 2 with what to do)
    ├── IdentityError                signed identity (``identity``)
    │   ├── InvalidIdentity          malformed, tampered, expired or unknown-key value
    │   └── IdentityUnavailable      the monolith could not say who the caller is (-> 503)
    ├── ClientGone                   the client disconnected mid-request: nothing to answer
    ├── UpstreamBodyAborted          the upstream failed after the response started: the
    │                                client connection is cut (raised to the server on purpose)
    └── RequestError                 this request gets an HTTP error; ``status`` says which
        ├── BadRequest               400: absolute-form target, encoded slash/NUL/backslash
        ├── MethodNotAllowed         405: CONNECT (the proxy is never an open proxy)
        ├── RequestTimeout           408: no byte of the body for ``client_body_timeout``
        ├── PayloadTooLarge          413: body over ``max_body_bytes`` (counted as it streams)
        ├── TargetTooLong            414: request target over ``max_header_bytes``
        ├── HeadersTooLarge          431: request headers over ``max_header_bytes``
        └── UpstreamFailed           the upstream could not answer
            ├── BadGateway           502: connect failure, reset, protocol error
            ├── UpstreamUnavailable  503: circuit open, no fallback
            └── GatewayTimeout       504: connect/read/write/pool timeout

The upstream client's own errors (``strangler_proxy.http1.errors``) are translated into
``UpstreamFailed`` in exactly one place: ``forward.map_upstream_error``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

__all__ = [
    "error_body",
    "BadGateway",
    "AdminUnreachable",
    "BadRequest",
    "ClientGone",
    "ConfigError",
    "ControlError",
    "IdentityError",
    "IdentityUnavailable",
    "InvalidIdentity",
    "GatewayTimeout",
    "HeadersTooLarge",
    "Issue",
    "MethodNotAllowed",
    "PayloadTooLarge",
    "ProxyError",
    "RequestError",
    "RequestTimeout",
    "RoutesFileError",
    "StageRequestError",
    "TargetTooLong",
    "UnknownRoute",
    "UpstreamBodyAborted",
    "UpstreamFailed",
    "UpstreamUnavailable",
]


class ProxyError(Exception):
    """Base of every error the proxy raises on purpose."""


class ConfigError(ProxyError):
    """The configuration cannot be used."""


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem in a routes file, pointing at the line and key to fix."""

    file: str
    line: int
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.key}: {self.message}"


class RoutesFileError(ConfigError):
    """A routes file with one or more problems; ``issues`` holds all of them, sorted by line."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = sorted(issues, key=lambda issue: (issue.file, issue.line, issue.key))
        super().__init__("\n".join(str(issue) for issue in self.issues))


class ControlError(ProxyError):
    """A stage or admin request that cannot be done; the message says why."""


class UnknownRoute(ControlError):
    """No route of that name in the routes file."""


class StageRequestError(ControlError):
    """An invalid stage, percent or move for this route."""


class AdminUnreachable(ControlError):
    """The admin API cannot be used from here (not running, no token, token refused)."""


class IdentityError(ProxyError):
    """Base of identity signing and resolution errors."""


class InvalidIdentity(IdentityError):
    """The identity value cannot be trusted; the message says why (never echoes the value)."""


class IdentityUnavailable(IdentityError):
    """The monolith did not answer who the caller is."""


class ClientGone(ProxyError):
    """The client went away; the request is abandoned and logged with status 499."""


class UpstreamBodyAborted(ProxyError):
    """Raised out of the ASGI app so the server cuts a response the upstream left truncated."""


class RequestError(ProxyError):
    """A request answered with an HTTP error instead of being forwarded."""

    status = 400
    error = "bad request"

    def __init__(self, detail: str = "") -> None:
        self.detail = detail or self.error
        super().__init__(self.detail)


class BadRequest(RequestError):
    status = 400
    error = "bad request"


class MethodNotAllowed(RequestError):
    status = 405
    error = "method not allowed"


class RequestTimeout(RequestError):
    status = 408
    error = "request timeout"


class PayloadTooLarge(RequestError):
    status = 413
    error = "request body too large"


class TargetTooLong(RequestError):
    status = 414
    error = "request target too long"


class HeadersTooLarge(RequestError):
    status = 431
    error = "request header fields too large"


class TooManyConnections(RequestError):
    """This worker holds ``[proxy] max_client_connections``: the new connection's first request
    is answered, then the connection is closed."""

    status = 503
    error = "too many client connections"


class UpstreamFailed(RequestError):
    status = 502
    error = "bad gateway"


class BadGateway(UpstreamFailed):
    status = 502
    error = "bad gateway"


class UpstreamUnavailable(UpstreamFailed):
    status = 503
    error = "upstream unavailable"


class GatewayTimeout(UpstreamFailed):
    status = 504
    error = "gateway timeout"


def error_body(exc: RequestError, request_id: str) -> bytes:
    """The JSON body of every answer the proxy gives for itself, on either request path."""
    return json.dumps({"error": exc.detail, "request_id": request_id}).encode()
