"""``strangler analyze`` and ``strangler plan``.

Thin: parse options, call ``analysis.analyze`` then ``analysis.report.build_report`` or
``analysis.plan.build_plan``, render, write; exit 0 on success (skipped files are warnings),
2 on a bad path or option.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

FORMATS = ("text", "json", "markdown", "html", "dot", "mermaid")
GRANULARITIES = ("symbol", "module", "app")
# Show a progress bar only once a run has taken this long.
PROGRESS_AFTER_SECONDS = 1.0


class _LazyProgress:
    """A rich progress bar on stderr that appears only for runs longer than a second."""

    def __init__(self, quiet: bool) -> None:
        self._quiet = quiet
        self._started = time.monotonic()
        self._bar: Any = None
        self._task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self._quiet:
            return
        if self._bar is None:
            if time.monotonic() - self._started < PROGRESS_AFTER_SECONDS:
                return
            from rich.console import Console
            from rich.progress import Progress

            self._bar = Progress(console=Console(stderr=True), transient=True)
            self._bar.start()
            self._task = self._bar.add_task("reading files", total=total)
        self._bar.update(self._task, completed=done, total=total)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--granularity",
    type=click.Choice(GRANULARITIES),
    default="symbol",
    show_default=True,
    help="Nodes are top-level symbols, modules or Django apps.",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not stdout."
)
@click.option("--quiet", is_flag=True, help="No progress bar or warnings on stderr.")
@click.option("--include-tests", is_flag=True, help="Also read test folders and files.")
@click.option("--include-migrations", is_flag=True, help="Also read Django migration folders.")
@click.option("--jobs", type=click.IntRange(min=1), help="Worker processes (default: CPUs).")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Fact cache folder (default: .strangler-cache next to PATH).",
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write the fact cache.")
def analyze(
    path: Path,
    granularity: str,
    fmt: str,
    out: Path | None,
    quiet: bool,
    include_tests: bool,
    include_migrations: bool,
    jobs: int | None,
    cache_dir: Path | None,
    no_cache: bool,
) -> None:
    """Map the dependencies of the Django codebase at PATH without importing it."""
    from analysis import AnalysisOptions, InvalidRootError
    from analysis import analyze as run_analysis
    from analysis.render import render_dot, render_json, render_mermaid, render_text
    from analysis.report import build_report

    options = AnalysisOptions(
        include_tests=include_tests,
        include_migrations=include_migrations,
        jobs=jobs,
        use_cache=not no_cache,
        cache_dir=cache_dir,
    )
    progress = _LazyProgress(quiet)
    try:
        result = run_analysis(path, options, progress)
    except InvalidRootError as error:
        raise click.UsageError(
            f"{error}. Give the directory of the code to analyse, "
            "e.g. `strangler analyze monolith/`."
        ) from None
    finally:
        progress.close()
    report = build_report(result, granularity)
    if fmt == "json":
        text = render_json(report.contract)
    elif fmt == "markdown":
        from analysis.render.analysis_report import render_report_markdown

        text = render_report_markdown(report)
    elif fmt == "html":
        from analysis.render.analysis_report import render_report_html

        text = render_report_html(report)
    elif fmt == "dot":
        text = render_dot(report.graph)
    elif fmt == "mermaid":
        text = render_mermaid(report.graph)
    else:
        text = render_text(report)
    if out is None:
        click.echo(text, nl=False)
    else:
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as error:
            raise click.UsageError(
                f"cannot write {out}: {error.strerror}; pick another --out"
            ) from None
    if result.skipped and not quiet:
        click.echo(
            f"warning: {len(result.skipped)} file(s) skipped (listed in the output)", err=True
        )


def _write(text: str, out: Path | None, what: str = "--out") -> None:
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as error:
        message = f"cannot write {out}: {error.strerror}; pick another {what}"
        raise click.UsageError(message) from None


def _pins(values: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    pins: dict[str, tuple[str, ...]] = {}
    for value in values:
        name, sep, members = value.partition("=")
        if not sep or not name.strip() or not members.strip():
            raise click.BadParameter(
                f"{value!r}: write NAME=MODULE[,MODULE...], e.g. billing=monolith.core.services",
                param_hint="--pin",
            )
        found = tuple(m.strip() for m in members.split(",") if m.strip())
        pins[name.strip()] = pins.get(name.strip(), ()) + found
    return pins


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--granularity", type=click.Choice(GRANULARITIES), default="symbol",
              show_default=True, help="Cluster symbols, modules or Django apps.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write here, not stdout.")
@click.option("--services", type=click.IntRange(min=1), help="Ask for this many services.")
@click.option("--seed", type=int, default=42, show_default=True, help="Clustering seed.")
@click.option("--pin", "pins", multiple=True, metavar="NAME=MODULE,...",
              help="Fix members of a service by hand (node ids or module prefixes).")
@click.option("--emit-routes", type=click.Path(dir_okay=False, path_type=Path),
              help="Write a proxy routes file (every route in stage monolith).")
@click.option("--emit-contracts", type=click.Path(dir_okay=False, path_type=Path),
              help="Write import-linter contracts holding the boundaries (INI).")
@click.option("--quiet", is_flag=True, help="No progress bar or warnings on stderr.")
@click.option("--include-tests", is_flag=True, help="Also read test folders and files.")
@click.option("--jobs", type=click.IntRange(min=1), help="Worker processes (default: CPUs).")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Fact cache folder (default: .strangler-cache next to PATH).",
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write the fact cache.")
def plan(
    path: Path,
    granularity: str,
    fmt: str,
    out: Path | None,
    services: int | None,
    seed: int,
    pins: tuple[str, ...],
    emit_routes: Path | None,
    emit_contracts: Path | None,
    quiet: bool,
    include_tests: bool,
    jobs: int | None,
    cache_dir: Path | None,
    no_cache: bool,
) -> None:
    """Propose services, an extraction order, the seams to cut and the proxy routes."""
    from analysis import AnalysisOptions, InvalidRootError
    from analysis import analyze as run_analysis
    from analysis.boundaries import BoundaryOptions, PinError
    from analysis.plan import build_plan
    from analysis.render import render_dot, render_json, render_mermaid
    from analysis.render.contracts import render_contracts_ini
    from analysis.render.plan_report import render_plan_html, render_plan_markdown
    from analysis.render.plan_text import render_plan_text
    from analysis.render.routes_toml import render_routes_toml

    progress = _LazyProgress(quiet)
    try:
        analysis_options = AnalysisOptions(
            include_tests=include_tests, jobs=jobs, use_cache=not no_cache, cache_dir=cache_dir
        )
        result = run_analysis(path, analysis_options, progress)
    except InvalidRootError as error:
        raise click.UsageError(
            f"{error}. Give the directory of the code, e.g. `strangler plan monolith/`."
        ) from None
    finally:
        progress.close()
    options = BoundaryOptions(
        granularity=granularity, services=services, seed=seed, pins=_pins(pins)
    )
    try:
        the_plan = build_plan(
            result.graph, result.models, result.urls, options,
            skipped=[(s.file, s.reason) for s in result.skipped],
        )
    except PinError as error:
        raise click.BadParameter(str(error), param_hint="--pin") from None
    if fmt == "json":
        text = render_json(the_plan.contract)
    elif fmt == "markdown":
        text = render_plan_markdown(the_plan)
    elif fmt == "html":
        text = render_plan_html(the_plan)
    elif fmt == "dot":
        text = render_dot(the_plan.service_graph)
    elif fmt == "mermaid":
        text = render_mermaid(the_plan.service_graph)
    else:
        text = render_plan_text(the_plan)
    _write(text, out)
    found = len(the_plan.proposal.services)
    if services is not None and found < services and not quiet:
        click.echo(f"warning: only {found} service(s) could be cut (asked for {services})",
                   err=True)
    if emit_routes is not None:
        _write(render_routes_toml(the_plan.proposal), emit_routes, "--emit-routes")
    if emit_contracts is not None:
        _write(
            render_contracts_ini(the_plan.proposal, result.graph.root),
            emit_contracts,
            "--emit-contracts",
        )
