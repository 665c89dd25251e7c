"""The ``strangler`` command: a thin click group whose subcommands load lazily.

Each subcommand lives in ``strangler.commands.<family>`` and is imported only when
it runs, so ``strangler --help`` and ``strangler --version`` never pay for Django,
libcst or networkx. Commands parse options, call one package function and map the
outcome to an exit code: 0 success, 1 a check or gate failed, 2 bad usage or input.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

import click

from strangler import __version__

# command name -> "module:attribute"; the module is imported on first use.
LAZY_COMMANDS: dict[str, str] = {
    "analyze": "strangler.commands.analysis_cmds:analyze",
    "plan": "strangler.commands.analysis_cmds:plan",
    "proxy": "strangler.commands.proxy_cmds:proxy",
    "routes": "strangler.commands.control_cmds:routes",
    "route": "strangler.commands.control_cmds:route",
    "diffs": "strangler.commands.control_cmds:diffs",
    "export": "strangler.commands.export_cmds:export",
    "extract": "strangler.commands.extract_cmds:extract",
}

# One-line help shown by ``strangler --help`` without importing the command modules.
SHORT_HELP: dict[str, str] = {
    "analyze": "Map a Django codebase's dependencies (never imports it).",
    "plan": "Propose services, an extraction order and the proxy routes.",
    "proxy": "Check a routes file or serve the strangler proxy.",
    "routes": "Show the live route table of a running proxy.",
    "route": "Move a route between stages: set, promote, rollback.",
    "diffs": "Summarise shadow-traffic differences per route.",
    "export": "Compile the routes file to nginx, Envoy or Gateway API.",
    "extract": "Scaffold an extracted service from a plan step.",
}


def _available(name: str) -> bool:
    module_name = LAZY_COMMANDS[name].partition(":")[0]
    return importlib.util.find_spec(module_name) is not None


class LazyGroup(click.Group):
    """A group whose subcommands are imported only when invoked (click docs, 'complex')."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in LAZY_COMMANDS if _available(name))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = LAZY_COMMANDS.get(cmd_name)
        if target is None or not _available(cmd_name):
            return None
        module_name, _, attribute = target.partition(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):  # a wiring mistake, not user input
            raise TypeError(f"{target} is not a click command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, SHORT_HELP.get(name, "")) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="strangler")
def cli() -> None:
    """Migrate a Django monolith to services with the strangler-fig pattern.

    \b
    strangler analyze monolith/              what depends on what
    strangler plan monolith/ --emit-routes routes.toml
    strangler proxy serve --config routes.toml
    """


def main(argv: list[str] | None = None) -> Any:
    return cli.main(args=argv, prog_name="strangler")
