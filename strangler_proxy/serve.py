"""Run the proxy under uvicorn: ``strangler proxy serve --config routes.toml``.

The admin API (``[admin] listen``) is served once, by this parent process, in a thread
(``admin_server``); without a token it is not started and a message says what to set.

Workers are separate processes (uvicorn's supervisor), so the app is built by a factory
(``create_app_from_env``) from the path in ``$STRANGLER_PROXY_CONFIG``; each worker watches
the file itself. SIGHUP to a single-worker server reloads the table in place; with several
workers uvicorn's supervisor answers SIGHUP by restarting them (the watch keeps reloading
in place).

uvicorn runs the server (sockets, workers, signals, lifespan, graceful shutdown); HTTP on each
connection is spoken by the proxy's own protocol, ``strangler_proxy.server.HttpServerProtocol``
(leaner per request, and an absolute-form target reaches the app, which refuses it).
"""

from __future__ import annotations

import gc
import logging
import os
import resource
import sys
from pathlib import Path
from typing import TextIO

from strangler_proxy.admin_server import start_admin
from strangler_proxy.app import CONFIG_ENV
from strangler_proxy.errors import ConfigError
from strangler_proxy.routes import RouteTable
from strangler_proxy.routes_file import load_table
from strangler_proxy.server import HttpServerProtocol
from strangler_proxy.state import open_stores

__all__ = ["HttpServerProtocol", "UVICORN_OPTIONS", "check_state", "configure_logging",
           "serve"]

# What the proxy needs from uvicorn whatever the caller: the upstream's own Server/Date headers
# pass through, uvicorn's access log is replaced by ours, websockets are not proxied, and
# uvicorn must not rewrite the client address from X-Forwarded-For: the proxy decides whom to
# trust itself (``[proxy] trusted_proxies``).
UVICORN_OPTIONS: dict[str, object] = {
    "proxy_headers": False,
    "server_header": False,
    "date_header": False,
    "access_log": False,
    "ws": "none",
    "lifespan": "on",
    "timeout_graceful_shutdown": 30,
}


def configure_logging(level: str = "info") -> None:
    """The proxy's messages on stderr with a level prefix (access lines go to stdout)."""
    root = logging.getLogger("strangler_proxy")
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(level.upper())


def serve(config: str | Path, *, host: str = "127.0.0.1", port: int = 8080, workers: int = 1,
          log_level: str = "info") -> None:
    """Validate the file (raises ``RoutesFileError``), then serve until interrupted."""
    import uvicorn

    path = Path(config).resolve()
    table = load_table(path)  # fail before binding, with every issue
    check_state(table)  # and before any worker starts, with one clear line (ConfigError)
    os.environ[CONFIG_ENV] = str(path)
    os.environ["STRANGLER_PROXY_LOG_LEVEL"] = log_level  # worker processes read it
    configure_logging(log_level)
    log = logging.getLogger("strangler_proxy.serve")
    problem = ensure_file_descriptors(table)
    if problem:
        log.warning("%s", problem)
    admin = None
    try:
        admin = start_admin(path)
        log.info("admin API on %s", admin.url)
    except ConfigError as exc:
        log.error("%s", exc)
    try:
        uvicorn.run("strangler_proxy.serve:worker_app", factory=True, host=host, port=port,
                    workers=workers, http=HttpServerProtocol, log_level=log_level,
                    **UVICORN_OPTIONS)  # type: ignore[arg-type]
    finally:
        if admin is not None:
            admin.stop()


# Descriptors a worker needs besides its client and upstream connections: listening sockets,
# the state store, log files, the shadow worker's pipe, the admin thread's sockets.
_SPARE_DESCRIPTORS = 256


def ensure_file_descriptors(table: RouteTable) -> str:
    """Raise this process's soft open-file limit (workers inherit it) to what one worker may
    hold: ``max_client_connections`` plus every upstream's ``max_connections``. Past the
    limit, accepting a client or connecting upstream fails, so every request would get a 502
    while a flood of idle connections lasts. Returns a warning when the hard limit is too low."""
    clients = table.proxy.max_client_connections
    if not clients:
        return ""  # no cap declared: the operator sizes the limit
    needed = clients + sum(spec.max_connections for spec in table.upstreams.values()) \
        + _SPARE_DESCRIPTORS
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return ""
    target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ValueError, OSError):
        target = soft
    if target >= needed:
        return ""
    return (f"a worker may hold {needed} open files ([proxy] max_client_connections = {clients}"
            f", the upstreams' max_connections and {_SPARE_DESCRIPTORS} spare) but the open-file"
            f" limit is {target}: raise it (ulimit -n) or lower max_client_connections")


def check_state(table: RouteTable) -> None:
    """Open the ``[state]`` store once and close it: ``ConfigError`` (password hidden) when
    it cannot be opened, so ``serve`` exits 2 with that message instead of every worker
    dying with a traceback."""
    open_stores(table).close()


def buffered_stdout() -> TextIO:
    """stdout for access lines through a 64 KiB buffer of its own.

    The app flushes it once a second, so PYTHONUNBUFFERED (common in containers, and set on
    this project's machines) does not turn every access line into a write syscall.
    """
    return open(os.dup(sys.stdout.fileno()), "w", buffering=64 * 1024, encoding="utf-8")


def worker_app() -> object:
    """The factory each worker calls: logging set up in the worker, then the app."""
    from strangler_proxy.app import create_app_from_env

    configure_logging(os.environ.get("STRANGLER_PROXY_LOG_LEVEL", "info"))
    try:
        app = create_app_from_env(access_stream=buffered_stdout())
    except ConfigError as exc:  # e.g. the store went away after the parent's check
        logging.getLogger("strangler_proxy.serve").error("%s", exc)
        raise SystemExit(2) from None
    # Everything loaded so far lives as long as the worker: keep it out of the collector's
    # full passes, which would otherwise walk it while requests wait.
    gc.collect()
    gc.freeze()
    return app
