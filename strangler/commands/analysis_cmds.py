"""``strangler analyze`` (and the ``plan`` placeholder until the boundaries work lands).

Thin: parse options, call ``analysis.analyze`` + ``analysis.report.build_report``, render,
write; exit 0 on success (skipped files are warnings), 2 on a bad path or option.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

FORMATS = ("text", "json", "dot", "mermaid")
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


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
def plan() -> None:
    """Propose services and routes (arrives with the boundaries work, issue 6)."""
    click.echo("plan arrives with the boundaries work (issue 6)", err=True)
    sys.exit(2)
