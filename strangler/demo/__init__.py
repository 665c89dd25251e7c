"""``make demo`` / ``python -m strangler.demo``: the whole strangler stack on one machine.

It prepares the data (migrate + seed the monolith, migrate + backfill the catalog service),
then runs four child processes, each in its own process group so that a Ctrl-C reaches
the demo alone and the demo stops them in order::

    monolith   uvicorn monolith.asgi:application             127.0.0.1:8000
    catalog    uvicorn extracted.catalog.asgi:application    127.0.0.1:8001
    sync       extracted/catalog/manage.py sync --follow     (monolith outbox -> catalog)
    proxy      strangler proxy serve --config var/demo-routes.toml   127.0.0.1:8080 (+ admin 8081)

Modules, one job each: ``config`` (ports, paths, environments), ``routes`` (the demo's routes
file), ``children`` (start, watch and stop process groups), ``prepare`` (the one-shot setup
commands), ``run`` (the sequence and the banner), ``__main__`` (options).
"""

__all__ = ["DemoConfig", "DemoError", "run_demo"]

from strangler.demo.config import DemoConfig, DemoError
from strangler.demo.run import run_demo
