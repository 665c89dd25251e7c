"""The demo's sequence: check ports, prepare data, start and watch the children, stop them."""

from __future__ import annotations

import signal
import socket
import time
from types import FrameType

from strangler.demo import prepare
from strangler.demo.children import Child, Children, log_tail
from strangler.demo.config import DemoConfig, DemoError, check_ports_free
from strangler.demo.routes import render_routes

__all__ = ["READY_PREFIX", "run_demo"]

READY_PREFIX = "demo ready: pids"  # the line tests (and scripts) wait for
ADMIN_WAIT = 5.0  # the admin listener starts with the proxy's lifespan, just after /-/ready


class _Stop(Exception):
    """Raised in the main thread by SIGINT/SIGTERM: time to stop the children."""


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    # Once is enough: a second Ctrl-C must not interrupt the cleanup the first one started.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    raise _Stop(signal.Signals(signum).name)


def run_demo(config: DemoConfig) -> int:
    """Run until SIGINT/SIGTERM (exit 0) or until something breaks (``DemoError``)."""
    check_ports_free(config)
    previous = {sig: signal.signal(sig, _raise_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    children = Children(config.log_dir)
    try:
        _prepare(config)
        _start_all(config, children)
        admin_up = _wait_listening(config.host, config.admin_port, ADMIN_WAIT)
        _say(_banner(config, admin_up))
        pids = " ".join(f"{child.name}={child.pid}" for child in children.started)
        _say(f"{READY_PREFIX} {pids}")
        _watch(children)
    except _Stop as stop:
        _say(f"\n{stop}: stopping the demo ...")
    finally:
        for sig in previous:  # nor may a signal after a failure (DemoError)
            signal.signal(sig, signal.SIG_IGN)
        children.stop_all(config.stop_timeout)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    codes = ", ".join(f"{c.name} {c.process.returncode}" for c in children.started)
    _say(f"demo stopped ({codes or 'nothing was running'})")
    return 0


def _prepare(config: DemoConfig) -> None:
    fresh = prepare.monolith_is_fresh(config)
    _say(f"[1/4] migrating the monolith ({config.monolith_db}) and the catalog service "
         f"({config.catalog_db}) ...")
    prepare.migrate_both(config, reset_catalog=fresh)
    if fresh:
        _say(f"[2/4] seeding the monolith ({config.size}) ... "
             f"{prepare.seed_monolith(config)}")
    else:
        _say("[2/4] the monolith already holds data: not seeding again")
    config.routes_file.write_text(render_routes(config))


def _start_all(config: DemoConfig, children: Children) -> None:
    """Start the servers together (their imports overlap), backfill, then follow the outbox."""
    py = config.python
    uvicorn = [py, "-m", "uvicorn", "--host", config.host]
    monolith = children.start("monolith", [*uvicorn, "--port", str(config.monolith_port),
                                           "monolith.asgi:application"],
                              config.monolith_env(), config.url(config.monolith_port, "/healthz"))
    catalog = children.start("catalog", [*uvicorn, "--port", str(config.catalog_port),
                                         "extracted.catalog.asgi:application"],
                             config.catalog_env(), config.url(config.catalog_port, "/healthz"))
    proxy = children.start("proxy", [py, "-m", "strangler", "proxy", "serve", "--config",
                                     str(config.routes_file), "--host", config.host,
                                     "--port", str(config.proxy_port)],
                           config.proxy_env(), config.url(config.proxy_port, "/-/ready"))
    _say("[3/4] starting the monolith, the catalog service and the proxy ...")
    children.wait_healthy(monolith, config.startup_timeout)
    _say("[4/4] backfilling the catalog service from the monolith ... "
         + prepare.backfill_catalog(config))
    sync = children.start("sync", [py, "extracted/catalog/manage.py", "sync", "--follow",
                                   "--interval", "1"], config.catalog_env())
    children.wait_healthy(catalog, config.startup_timeout)
    children.wait_healthy(proxy, config.startup_timeout)
    # Its first round proves it reaches the outbox (a wrong token ends it with a message).
    children.wait_healthy(sync, config.startup_timeout,
                          probe=lambda: "sync: applied" in log_tail(sync.log_path))


def _watch(children: Children) -> None:
    while True:
        time.sleep(0.5)
        gone: Child | None = children.first_exited()
        if gone is not None:
            raise DemoError(f"the {gone.name} stopped unexpectedly (exit code "
                            f"{gone.process.returncode}); last lines of {gone.log_path}:\n"
                            f"{log_tail(gone.log_path)}")


def _wait_listening(host: str, port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(0.5)
            if sock.connect_ex((host, port)) == 0:
                return True
        time.sleep(0.2)
    return False


def _banner(config: DemoConfig, admin_up: bool) -> str:
    proxy = config.url(config.proxy_port).rstrip("/")
    admin = config.url(config.admin_port).rstrip("/")
    rows = [
        ("browse (through the proxy)", f"{proxy}/browse/"),
        ("catalog API (through the proxy)", f"{proxy}/api/catalog/titles/"),
        ("proxy health and metrics", f"{proxy}/-/ready   {proxy}/-/metrics"),
        ("admin dashboard", f"{admin}/login?token={config.admin_token}  (sets a cookie, "
                            f"opens {admin}/dashboard)" if admin_up
         else f"{admin}/ is not answering: see {config.log_dir}/proxy.log"),
        ("monolith (direct)", config.url(config.monolith_port, "/browse/")),
        ("catalog service (direct)", config.url(config.catalog_port, "/api/catalog/titles/")),
        ("routes file (hot-reloaded)", f"{config.routes_file}  (catalog starts at "
                                       f"{config.stage}; `strangler routes` shows it live)"),
        ("logs", f"{config.log_dir}/"),
        ("demo logins", "demo / reelbox-demo, staff / reelbox-demo (/admin/)"),
        ("admin token (printed once)", config.admin_token),
        ("outbox token (this run)", config.outbox_token),
    ]
    width = max(len(label) for label, _ in rows)
    lines = ["", "The strangler demo is running. Ctrl-C stops everything.", ""]
    lines += [f"  {label.ljust(width)}  {value}" for label, value in rows]
    lines += ["", "  Drive it from another shell:",
              f"    export STRANGLER_ADMIN_TOKEN={config.admin_token}",
              f"    strangler routes --config {config.routes_file}",
              f"    strangler diffs catalog --config {config.routes_file}", ""]
    return "\n".join(lines)


def _say(text: str) -> None:
    print(text, flush=True)
