"""The demo's settings: ports, the var directory, tokens, and each child's environment."""

from __future__ import annotations

import os
import secrets
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["REPO", "DemoConfig", "DemoError", "check_ports_free"]

REPO = Path(__file__).resolve().parents[2]
# Set by pytest or by a caller's shell; they would change how the two Django projects run.
_INHERITED_NOISE = ("PYTEST_VERSION", "PYTEST_CURRENT_TEST", "DJANGO_SETTINGS_MODULE",
                    "DATABASE_URL", "DJANGO_SECRET_KEY")


class DemoError(Exception):
    """A problem the user can fix (a busy port, a failed step); carries the exit code."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True, kw_only=True)
class DemoConfig:
    """Everything the demo needs to know; the defaults are the documented ports."""

    var_dir: Path = REPO / "var"
    host: str = "127.0.0.1"
    monolith_port: int = 8000
    catalog_port: int = 8001
    proxy_port: int = 8080
    admin_port: int = 8081
    size: str = "small"
    stage: str = "shadow"
    startup_timeout: float = 60.0
    stop_timeout: float = 10.0
    python: str = sys.executable
    admin_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    outbox_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))

    def url(self, port: int, path: str = "/") -> str:
        return f"http://{self.host}:{port}{path}"

    @property
    def monolith_db(self) -> Path:
        return self.var_dir / "monolith.sqlite3"

    @property
    def catalog_db(self) -> Path:
        return self.var_dir / "catalog.sqlite3"

    @property
    def routes_file(self) -> Path:
        return self.var_dir / "demo-routes.toml"

    @property
    def log_dir(self) -> Path:
        return self.var_dir / "demo-logs"

    def ports(self) -> dict[str, int]:
        return {"monolith": self.monolith_port, "catalog service": self.catalog_port,
                "proxy": self.proxy_port, "proxy admin": self.admin_port}

    def base_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in _INHERITED_NOISE}
        env["DJANGO_DEMO"] = "1"  # fixed development keys: demo data only
        env["PYTHONUNBUFFERED"] = "1"  # logs reach the files as they happen
        return env

    def monolith_env(self) -> dict[str, str]:
        env = self.base_env()
        env.update(DJANGO_SETTINGS_MODULE="monolith.settings",
                   DATABASE_URL=f"sqlite:///{self.monolith_db}",
                   REELBOX_OUTBOX_TOKEN=self.outbox_token)
        return env

    def catalog_env(self) -> dict[str, str]:
        env = self.base_env()
        env.update(DJANGO_SETTINGS_MODULE="extracted.catalog.settings.base",
                   DATABASE_URL=f"sqlite:///{self.catalog_db}",
                   CATALOG_MONOLITH_URL=self.url(self.monolith_port).rstrip("/"),
                   CATALOG_OUTBOX_TOKEN=self.outbox_token)
        return env

    def proxy_env(self) -> dict[str, str]:
        env = self.base_env()
        env["STRANGLER_ADMIN_TOKEN"] = self.admin_token
        return env


def check_ports_free(config: DemoConfig) -> None:
    """Raise ``DemoError`` (exit 2) naming the first busy port and what to do about it."""
    seen: dict[int, str] = {}
    for what, port in config.ports().items():
        if port in seen:
            raise DemoError(f"port {port} is given to both the {seen[port]} and the {what}; "
                            "give each its own port", exit_code=2)
        seen[port] = what
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            # As uvicorn binds: a port left in TIME_WAIT by an earlier run is free.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((config.host, port))
            except OSError:
                option = "--" + what.replace("catalog service", "catalog").replace(
                    "proxy admin", "admin") + "-port"
                raise DemoError(
                    f"port {port} on {config.host} is in use, and the demo needs it for the "
                    f"{what}. Stop whatever listens there (`ss -ltnp 'sport = :{port}'` shows "
                    f"it; an earlier demo? press Ctrl-C in its terminal), or run "
                    f"`python -m strangler.demo {option} N`.", exit_code=2) from None
