"""``strangler proxy check|serve``: validate a routes file, explain a path, run the proxy."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def proxy() -> None:
    """Check a routes file or serve the strangler proxy."""


@proxy.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--explain", "explain_path", metavar="PATH",
              help="Say which route wins for this request path, and why.")
@click.option("--method", default="GET", show_default=True, help="Method for --explain.")
@click.option("--host", default="", help="Host header for --explain.")
@click.option("--header", "headers", multiple=True, metavar="NAME:VALUE",
              help="A request header for --explain (repeatable).")
def check(file: Path, explain_path: str | None, method: str, host: str,
          headers: tuple[str, ...]) -> None:
    """Validate FILE and print the effective route table (exit 1 when invalid)."""
    from strangler_proxy.errors import BadRequest, RoutesFileError
    from strangler_proxy.explain import explain, render_table
    from strangler_proxy.routes_file import load_table

    if not file.exists():
        raise click.UsageError(f"no such file: {file}; give the routes TOML to check")
    try:
        table = load_table(file)
    except RoutesFileError as exc:
        for issue in exc.issues:
            click.echo(str(issue), err=True)
        click.echo(f"{file}: {len(exc.issues)} problem(s); fix them and run check again",
                   err=True)
        raise SystemExit(1) from None
    click.echo(render_table(table))
    if explain_path is not None:
        parsed: dict[str, str] = {}
        for item in headers:
            name, sep, value = item.partition(":")
            if not sep:
                raise click.BadParameter(f"expected NAME:VALUE, got {item!r}",
                                         param_hint="--header")
            parsed[name.strip().lower()] = value.strip()
        try:
            click.echo(explain(table, explain_path, method=method.upper(), host=host,
                               headers=parsed))
        except BadRequest as exc:
            raise click.BadParameter(f"{explain_path!r}: {exc.detail} (the proxy answers 400)",
                                     param_hint="--explain") from None


@proxy.command()
@click.option("--config", "config", required=True, type=click.Path(path_type=Path),
              help="The routes TOML.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1))
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["debug", "info", "warning", "error"]))
def serve(config: Path, host: str, port: int, workers: int, log_level: str) -> None:
    """Serve the proxy in front of the upstreams named in --config."""
    from strangler_proxy.errors import ConfigError, RoutesFileError
    from strangler_proxy.serve import serve as run

    if not config.exists():
        raise click.UsageError(f"no such file: {config}; write a routes TOML first "
                               "(see docs/proxy.md)")
    try:
        run(config, host=host, port=port, workers=workers, log_level=log_level)
    except RoutesFileError as exc:
        for issue in exc.issues:
            click.echo(str(issue), err=True)
        click.echo(f"{config}: not served; run `strangler proxy check {config}`", err=True)
        raise SystemExit(2) from None
    except ConfigError as exc:  # the [state] store cannot be opened (password hidden)
        click.echo(f"{config}: not served: {exc}. Fix `[state] store` in {config}, or make "
                   "the store reachable, and start again", err=True)
        raise SystemExit(2) from None
