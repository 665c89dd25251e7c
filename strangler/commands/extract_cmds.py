"""``strangler extract``: scaffold a service from a plan step, or route imports via a facade."""

from __future__ import annotations

from pathlib import Path

import click


@click.command(name="extract")
@click.argument("service")
@click.option("--plan", "plan_path", required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="Plan JSON (`strangler plan --format json`); SERVICE is one of its services.")
@click.option("--to", "dest", type=click.Path(file_okay=False, path_type=Path),
              help="Directory of the new service project, e.g. extracted/catalog.")
@click.option("--facade", is_flag=True,
              help="Instead of scaffolding: make the monolith import the service's members "
                   "through a generated <root>/<service>_facade package.")
@click.option("--root", default=Path("monolith"), show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="The analysed package the plan's members live in.")
@click.option("--dry-run", is_flag=True, help="Show the files and a unified diff; write nothing.")
@click.option("--force", is_flag=True, help="Write into an existing --to directory.")
def extract(service: str, plan_path: Path, dest: Path | None, facade: bool, root: Path,
            dry_run: bool, force: bool) -> None:
    """Scaffold SERVICE from the plan into --to, or (--facade) rewrite the monolith's imports.

    \b
    strangler extract catalog --plan plan.json --to extracted/catalog --dry-run
    strangler extract catalog --plan plan.json --to extracted/catalog
    strangler extract catalog --plan plan.json --facade --dry-run
    """
    from analysis.codemods import CodemodError, PlanError, load_service_plan, render_seams
    from analysis.codemods.output import render_diff, render_tree
    from analysis.codemods.run import extract_service, facade_service

    if facade == (dest is not None):
        raise click.UsageError("give either --to DIR (scaffold the service) or --facade "
                               "(rewrite the monolith's imports), not both or neither")
    try:
        plan = load_service_plan(plan_path, service)
        if dest is not None:
            outcome = extract_service(root, plan, dest, dry_run=dry_run, force=force)
        else:
            result = facade_service(root, plan, dry_run=dry_run)
    except PlanError as exc:
        click.echo(f"error: {exc}", err=True)
        if exc.services:
            click.echo("services in the plan: " + ", ".join(exc.services), err=True)
        raise SystemExit(2) from None
    except CodemodError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None
    if dest is not None:
        if dry_run:
            click.echo(render_tree(str(dest), list(outcome.scaffold.files)))
            click.echo(render_diff(list(outcome.changes)), nl=False)
            click.echo(f"dry run: {len(outcome.changes)} file(s) would be written to {dest}")
        else:
            click.echo(f"wrote {len(outcome.changes)} file(s) to {dest} "
                       f"({len(outcome.scaffold.files)} in the scaffold)")
        click.echo(render_seams(list(outcome.scaffold.seams)), nl=False)
        return
    if dry_run:
        click.echo(render_diff(list(result.changes)), nl=False)
    verb = "would change" if dry_run else "changed"
    click.echo(f"facade: {verb} {len(result.changes)} file(s)")
    for left in result.unhandled:
        click.echo(f"left as is: {left.rel_path}:{left.line}  {left.text} (a module or star "
                   "import; point its uses at the facade by hand)")
