"""``strangler routes | route set|promote|rollback | diffs``: thin commands over the admin API.

``routes`` and ``route`` reach the running proxy through ``[admin]`` of the routes file
(``strangler_proxy.control.AdminClient``); ``diffs`` reads the ``[state]`` store directly.
Exit codes: 0 done, 1 a promotion refused by a gate, 2 bad input or the proxy unreachable.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

CONFIG = click.option("--config", "config", required=True, type=click.Path(path_type=Path),
                      help="The routes TOML the proxy runs with.")


def _table(config: Path) -> Any:
    from strangler_proxy.errors import RoutesFileError
    from strangler_proxy.routes_file import load_table

    if not config.exists():
        raise click.UsageError(f"no such file: {config}; give the routes TOML the proxy runs with")
    try:
        return load_table(config)
    except RoutesFileError as exc:
        raise click.UsageError(f"{exc}\nfix the file (strangler proxy check {config})") from None


def _admin(config: Path, action: Any) -> Any:
    """Run ``action(client)``; control errors become exit 2 with their message."""
    from strangler_proxy.control import AdminClient
    from strangler_proxy.errors import ControlError

    table = _table(config)
    try:
        with AdminClient(table) as client:
            return action(client)
    except ControlError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None


@click.command()
@CONFIG
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def routes(config: Path, fmt: str) -> None:
    """Show the live route table of a running proxy (stage, split, figures)."""
    from strangler_proxy.control_render import routes_text

    view = _admin(config, lambda client: client.routes())
    click.echo(json.dumps(view, indent=2) if fmt == "json" else routes_text(view))


@click.group()
def route() -> None:
    """Move a route between stages: set, promote, rollback."""


@route.command(name="set")
@click.argument("name")
@click.option("--stage", required=True,
              type=click.Choice(["monolith", "shadow", "canary", "service"]))
@click.option("--percent", type=click.IntRange(0, 100), help="Canary share (stage canary).")
@click.option("--reason", default="", help="Recorded in the audit log.")
@CONFIG
def set_(name: str, stage: str, percent: int | None, reason: str, config: Path) -> None:
    """Set NAME's stage (and canary percent); audited, applied by every worker within 1 s."""
    from strangler_proxy.control_render import outcome_text

    if stage == "canary" and percent is None:
        raise click.UsageError("--stage canary needs --percent N (0-100)")
    outcome = _admin(config, lambda c: c.set_stage(name, stage, percent, reason))
    click.echo(outcome_text(outcome))


@route.command()
@click.argument("name")
@click.option("--reason", default="", help="Recorded in the audit log.")
@CONFIG
def promote(name: str, reason: str, config: Path) -> None:
    """Move NAME one stage forward if its gates hold (exit 1 naming each failing gate)."""
    from strangler_proxy.control_render import outcome_text

    outcome = _admin(config, lambda c: c.promote(name, reason))
    click.echo(outcome_text(outcome), err=not outcome["applied"])
    if not outcome["applied"]:
        raise SystemExit(1)


@route.command()
@click.argument("name")
@click.option("--reason", default="", help="Recorded in the audit log.")
@CONFIG
def rollback(name: str, reason: str, config: Path) -> None:
    """Send all of NAME's traffic back to the monolith, now."""
    from strangler_proxy.control_render import outcome_text

    click.echo(outcome_text(_admin(config, lambda c: c.rollback(name, reason))))


@click.command()
@click.argument("name", required=False)
@CONFIG
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text",
              show_default=True)
@click.option("--examples", default=3, show_default=True, type=click.IntRange(0, 100),
              help="Redacted mismatch examples per route.")
def diffs(name: str | None, config: Path, fmt: str, examples: int) -> None:
    """Summarise shadow-traffic differences per route (reads the [state] store)."""
    from strangler_proxy.admin_views import diffs_view, examples_view
    from strangler_proxy.control_render import diffs_html, diffs_text
    from strangler_proxy.errors import ConfigError
    from strangler_proxy.state import open_stores

    table = _table(config)
    if name is not None and name not in {r.name for r in table.routes}:
        raise click.UsageError(f"no route named {name!r} in {config}")
    try:
        stores = open_stores(table)
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None
    try:
        summaries = diffs_view(stores, name, top=10)
        samples = {s["route"]: examples_view(stores, s["route"], limit=examples)
                   for s in summaries} if examples else {}
    finally:
        stores.close()
    if fmt == "json":
        click.echo(json.dumps({"routes": summaries, "examples": samples}, indent=2))
    elif fmt == "html":
        click.echo(diffs_html(summaries, samples), nl=False)
    else:
        click.echo(diffs_text(summaries, samples))
