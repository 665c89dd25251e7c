"""The monolith and the extracted catalog service as real processes, for the extraction tests.

pytest-django configures ``monolith.settings`` for the whole session and one Python process
holds one Django configuration; so each project runs where it runs in production, in its own
process with its own temp SQLite file, served by uvicorn on 127.0.0.1:<ephemeral>, and the
tests drive them over HTTP and run their management commands as subprocesses::

    template = seeded_monolith_db(tmp_path_factory)          # migrate + seed small, once
    with monolith_process(copy_db(template, tmp_path)) as monolith, \\
         catalog_service(tmp_path / "catalog.sqlite3") as service:
        service.manage("backfill", "--source", monolith.url, "--token", OUTBOX_TOKEN)

``python -m tests.support.catalog_service MODULE:APP [--migrate]`` serves an ASGI app (after
migrating its database), printing ``PORT <n>``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.support.servers import bind_socket

REPO = Path(__file__).resolve().parents[2]
SERVICE_MANAGE = REPO / "extracted" / "catalog" / "manage.py"
MONOLITH_MANAGE = REPO / "manage.py"
OUTBOX_TOKEN = "test-outbox-token-0123456789"
STAFF = ("staff", "reelbox-demo")  # made by the monolith's seed command
COMMAND_TIMEOUT = 180
# The seed publishes every title; these two are unpublished in every seeded database here.
UNPUBLISHED = (3, 7)
UNPUBLISH = (
    "from monolith.core.models import Title; "
    f"Title.objects.filter(pk__in={list(UNPUBLISHED)}).update(is_published=False)"
)


@dataclass
class Process:
    """A served project: its URL, database file, environment and ``manage.py``."""

    url: str
    db_path: Path
    env: dict[str, str] = field(repr=False)
    manage_py: Path = field(repr=False)

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return run_manage(self.manage_py, self.env, *args, check=check)


def _env(settings: str, db_path: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update({"DJANGO_SETTINGS_MODULE": settings, "DATABASE_URL": f"sqlite:///{db_path}"})
    env.update(extra)
    return env


def monolith_env(db_path: Path) -> dict[str, str]:
    return _env("monolith.settings", db_path, DJANGO_DEMO="1", REELBOX_OUTBOX_TOKEN=OUTBOX_TOKEN)


def service_env(db_path: Path, **extra: str) -> dict[str, str]:
    return _env("extracted.catalog.settings.test", db_path, **extra)


def run_manage(
    manage_py: Path, env: dict[str, str], *args: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, str(manage_py), *args],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=COMMAND_TIMEOUT,
    )
    if check and done.returncode != 0:
        raise AssertionError(
            f"{manage_py.name} {' '.join(args)} exited {done.returncode}\n"
            f"{done.stdout}\n{done.stderr}"
        )
    return done


def seeded_monolith_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated monolith database seeded ``small`` (titles ``UNPUBLISHED`` hidden), built
    once per session and reused."""
    path = tmp_path_factory.getbasetemp() / "monolith-template.sqlite3"
    if not path.exists():
        building = path.with_suffix(".building")
        env = monolith_env(building)
        run_manage(MONOLITH_MANAGE, env, "migrate", "--noinput", "-v", "0")
        run_manage(MONOLITH_MANAGE, env, "seed", "--size", "small")
        run_manage(MONOLITH_MANAGE, env, "shell", "-c", UNPUBLISH)
        building.rename(path)
    return path


def copy_db(template: Path, directory: Path) -> Path:
    target = directory / "monolith.sqlite3"
    shutil.copyfile(template, target)
    return target


@contextlib.contextmanager
def _serve(
    app: str, env: dict[str, str], db_path: Path, manage_py: Path, *, migrate: bool = False
) -> Iterator[Process]:
    command = [sys.executable, "-m", "tests.support.catalog_service", app]
    process = subprocess.Popen(
        command + (["--migrate"] if migrate else []),
        env=env, cwd=REPO, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(f"{app} did not start: {line!r}")
        url = f"http://127.0.0.1:{int(line.split()[1])}"
        for _ in range(200):  # the port is bound before uvicorn starts: wait until it answers
            try:
                httpx.get(url + "/healthz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        yield Process(url, db_path, env, manage_py)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


@contextlib.contextmanager
def monolith_process(db_path: Path) -> Iterator[Process]:
    """The monolith on ``db_path`` (outbox token ``OUTBOX_TOKEN``), served until exit."""
    with _serve("monolith.asgi:application", monolith_env(db_path), db_path, MONOLITH_MANAGE) as p:
        yield p


@contextlib.contextmanager
def catalog_service(db_path: Path, **extra_env: str) -> Iterator[Process]:
    """Migrate a fresh service database and serve the service until exit (one process)."""
    env = service_env(db_path, **extra_env)
    with _serve("extracted.catalog.asgi:application", env, db_path, SERVICE_MANAGE,
                migrate=True) as p:
        yield p


def staff_token(monolith_url: str) -> str:
    """A DRF token of the seeded staff user (for writes through the monolith's API)."""
    answer = httpx.post(monolith_url + "/api/accounts/token/",
                        data={"username": STAFF[0], "password": STAFF[1]}, timeout=30)
    answer.raise_for_status()
    return answer.json()["token"]


def _main(app: str, migrate: bool) -> None:
    import uvicorn

    if migrate:  # in the serving process: one interpreter start instead of two
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", interactive=False, verbosity=0)
    sock = bind_socket()
    print(f"PORT {sock.getsockname()[1]}", flush=True)
    config = uvicorn.Config(app, lifespan="off", log_level="warning")
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    _main(sys.argv[1], "--migrate" in sys.argv[2:])
