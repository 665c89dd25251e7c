"""``strangler export``: compile a routes file for nginx, Envoy or Kubernetes Gateway API."""

from __future__ import annotations

from pathlib import Path

import click

_TARGETS = ("nginx", "envoy", "gateway-api")


def _listen(ctx: click.Context, param: click.Parameter, value: str) -> str:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise click.BadParameter(f"expected HOST:PORT, got {value!r}")
    return value


@click.command(name="export")
@click.option("--target", required=True, type=click.Choice(_TARGETS),
              help="Engine to compile the routes for.")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write the files into this directory (created); stdout otherwise.")
@click.option("--standalone", is_flag=True,
              help="nginx: also write nginx.conf, runnable with nginx -p DIR -c DIR/nginx.conf.")
@click.option("--listen", default="127.0.0.1:8080", show_default=True, callback=_listen,
              help="nginx/Envoy: address the exported proxy listens on.")
@click.option("--gateway", default="strangler", show_default=True,
              help="gateway-api: the Gateway the HTTPRoutes attach to.")
@click.option("--namespace", default="default", show_default=True,
              help="gateway-api: namespace of the HTTPRoutes and Services.")
def export(target: str, file: Path, out_dir: Path | None, standalone: bool, listen: str,
           gateway: str, namespace: str) -> None:
    """Compile the routes FILE for another engine; what it cannot express goes to stderr.

    \b
    strangler export --target nginx routes.toml --out deploy/ --standalone
    strangler export --target envoy routes.toml > envoy.yaml
    """
    from strangler_proxy.errors import RoutesFileError
    from strangler_proxy.export import export_file

    try:
        result = export_file(file, target, listen=listen, standalone=standalone,
                             gateway=gateway, namespace=namespace)
    except RoutesFileError as exc:
        for issue in exc.issues:
            click.echo(str(issue), err=True)
        click.echo(f"{file}: fix the problems above, then export again "
                   "(`strangler proxy check` shows the same list).", err=True)
        raise SystemExit(2) from None
    if out_dir is not None:
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
            for name, text in result.files.items():
                (out_dir / name).write_text(text, encoding="utf-8")
        except OSError as exc:
            click.echo(f"cannot write into {out_dir}: {exc}", err=True)
            raise SystemExit(2) from None
        for name in result.files:
            click.echo(f"wrote {out_dir / name}", err=True)
    else:
        several = len(result.files) > 1
        for name, text in result.files.items():
            if several:
                click.echo(f"# ---- {name} ----")
            click.echo(text, nl=False)
    if result.limitations:
        click.echo(f"{target}: {len(result.limitations)} thing(s) not exported "
                   "(also listed as comments in the output):", err=True)
        for item in result.limitations:
            click.echo(f"  - {item}", err=True)
