"""The one-shot setup commands: migrations, the seed, the backfill. Re-runs are safe.

The monolith is seeded only when its database holds no title yet: a re-run keeps the data
(and whatever you changed through the demo). When the monolith starts over, so does the
catalog service's copy, since its outbox position would point into a history that is gone.
The backfill runs every time: it upserts, and it moves the sync start to the newest event.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
from collections.abc import Iterator, Sequence

from strangler.demo.config import REPO, DemoConfig, DemoError

__all__ = ["backfill_catalog", "migrate_both", "monolith_is_fresh", "seed_monolith"]

STEP_TIMEOUT = 300.0


def monolith_is_fresh(config: DemoConfig) -> bool:
    """True when the monolith's SQLite file has no seeded catalog (missing, empty, unmigrated)."""
    if not config.monolith_db.exists():
        return True
    uri = f"file:{config.monolith_db}?mode=ro"
    try:
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as db:
            (count,) = db.execute("SELECT COUNT(*) FROM core_title").fetchone()
    except sqlite3.Error:
        return True
    return count == 0


def migrate_both(config: DemoConfig, *, reset_catalog: bool) -> None:
    """Migrate the two databases side by side (they are independent)."""
    config.var_dir.mkdir(parents=True, exist_ok=True)
    if reset_catalog:
        config.catalog_db.unlink(missing_ok=True)
    with _started([config.python, "manage.py", "migrate", "--noinput"],
                  config.monolith_env()) as monolith, \
         _started([config.python, "extracted/catalog/manage.py", "migrate", "--noinput"],
                  config.catalog_env()) as catalog:
        _finish("migrate the monolith", monolith)
        _finish("migrate the catalog service", catalog)


def seed_monolith(config: DemoConfig) -> str:
    out = _run("seed the monolith", [config.python, "manage.py", "seed", "--size", config.size],
               config.monolith_env())
    return out.strip().splitlines()[0] if out.strip() else ""


def backfill_catalog(config: DemoConfig) -> str:
    out = _run("backfill the catalog service",
               [config.python, "extracted/catalog/manage.py", "backfill"], config.catalog_env())
    return out.strip().splitlines()[-1] if out.strip() else ""


@contextlib.contextmanager
def _started(argv: Sequence[str], env: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    # Its own process group: a Ctrl-C reaches the demo, which then stops the step.
    process = subprocess.Popen(list(argv), cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               process_group=0)
    try:
        yield process
    finally:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _finish(what: str, process: subprocess.Popen[str]) -> str:
    try:
        out, _ = process.communicate(timeout=STEP_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise DemoError(f"could not {what}: no answer within {STEP_TIMEOUT:.0f} s") from None
    if process.returncode != 0:
        tail = "\n".join(out.splitlines()[-15:])
        raise DemoError(f"could not {what} (exit {process.returncode}):\n{tail}")
    return out


def _run(what: str, argv: Sequence[str], env: dict[str, str]) -> str:
    with _started(argv, env) as process:
        return _finish(what, process)
