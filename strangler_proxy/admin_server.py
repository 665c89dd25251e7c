"""Run the admin listener: one per ``strangler proxy serve``, in the parent process.

With ``--workers N`` uvicorn's supervisor forks N workers that share the proxy's port; the
admin port must be bound once, so it is served here, in the parent, by a separate uvicorn
server in a daemon thread. It refuses to start without a token (``[admin] token_env``) and
on a non-loopback address unless ``[admin] allow_remote = true``.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from strangler_proxy.admin import AdminApp
from strangler_proxy.errors import ConfigError
from strangler_proxy.server import HttpServerProtocol
from strangler_proxy.routes import AdminSettings
from strangler_proxy.routes_file import is_loopback, load_table
from strangler_proxy.state import open_stores
from strangler_proxy.state_factory import StateStores

__all__ = ["AdminListener", "admin_token", "check_bind", "start_admin"]


def admin_token(settings: AdminSettings) -> str:
    """The token from ``$<token_env>``; ``ConfigError`` saying what to set when absent."""
    token = os.environ.get(settings.token_env, "").strip()
    if not token:
        raise ConfigError(f"admin API not started: set {settings.token_env} to a long random "
                          f"token (e.g. export {settings.token_env}=$(openssl rand -hex 24))")
    return token


def check_bind(settings: AdminSettings) -> tuple[str, int]:
    """``(host, port)`` of ``listen``; ``ConfigError`` for a non-loopback host without opt-in."""
    host, _, port = settings.listen.rpartition(":")
    host = host.strip("[]")
    if not is_loopback(host) and not settings.allow_remote:
        raise ConfigError(f"admin API not started: {settings.listen} is not a loopback address; "
                          "set [admin] allow_remote = true to expose it (it moves traffic)")
    return host, int(port)


@dataclass
class AdminListener:
    url: str
    stores: StateStores
    server: object
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True  # type: ignore[attr-defined]
        self.thread.join(timeout=10)
        self.stores.close()


def start_admin(config: str | Path) -> AdminListener:
    """Bind and serve the admin API in a thread; ``ConfigError`` when it must not start."""
    import uvicorn

    table = load_table(config)
    token = admin_token(table.admin)
    host, port = check_bind(table.admin)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(f"admin API not started: cannot bind {table.admin.listen}: "
                          f"{exc.strerror}") from None
    sock.listen(64)
    stores = open_stores(table)
    app = AdminApp(config, stores, token)
    # The proxy's own server protocol: heads are read only up to a limit and must arrive in
    # time, which matters before the token is even looked at (``allow_remote``).
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on", log_level="warning",
                                           access_log=False, server_header=False,
                                           http=HttpServerProtocol, ws="none",
                                           proxy_headers=False))
    # run off the main thread, uvicorn leaves the process's signal handlers alone
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True,
                              name="strangler-admin")
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return AdminListener(f"http://{shown}:{bound}", stores, server, thread)
