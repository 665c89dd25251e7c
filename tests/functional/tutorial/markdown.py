"""Read the tutorial's Markdown into the steps the runner executes, in order.

The conventions (also explained to readers in ``docs/tutorial/README.md``):

- A fenced ```` ```console ```` block holds commands: each line starting with ``$ `` is one
  command (a line ending in ``\\`` continues on the next); the other lines are sample output
  shown to the reader and are not compared.
- ``<!-- expect: REGEX -->`` after a console block (one or more, each on its own line):
  ``re.search`` (multiline) must find REGEX in the block's combined stdout and stderr.
- ``<!-- expect-exit: N -->`` after a console block: its last command must exit N (the
  others, and every command of an unmarked block, must exit 0).
- ``<!-- background: NAME wait-for: URL -->`` before a console block of one command: the
  command keeps running (a server); the runner waits until URL answers 200 (without
  ``wait-for``: until it has run a second without exiting), restarts it when the same NAME
  starts again, and stops it at the end. ``<!-- stop: NAME -->`` stops it.
- ``<!-- file: PATH -->`` before any fenced block: its text is written to PATH (the reader is
  asked to create or replace that file).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Block", "parse_markdown", "tutorial_blocks"]

_FENCE = re.compile(r"^(`{3,})\s*([\w-]*)\s*$")
_DIRECTIVE = re.compile(r"^<!--\s*([\w-]+):\s*(.*?)\s*-->\s*$")
_BACKGROUND = re.compile(r"^(?P<name>[\w.-]+)(?:\s+wait-for:\s*(?P<url>\S+))?$")


@dataclass
class Block:
    """One unit of work: commands to run, a file to write, or a process to stop."""

    kind: str  # "console" | "file" | "stop"
    source: str  # "02-analyse.md:41" for messages
    commands: list[str] = field(default_factory=list)
    text: str = ""  # file content
    path: str = ""  # file path (kind "file") or process name (kind "stop")
    expects: list[str] = field(default_factory=list)
    expect_exit: int = 0
    background: str | None = None  # process name
    wait_for: str | None = None


def _commands(lines: list[str]) -> list[str]:
    commands: list[str] = []
    pending: str | None = None
    for line in lines:
        if pending is not None:
            pending += "\n" + line
            if not line.endswith("\\"):
                commands.append(pending)
                pending = None
        elif line.startswith("$ "):
            command = line[2:]
            if command.endswith("\\"):
                pending = command
            else:
                commands.append(command)
    if pending is not None:
        commands.append(pending)
    return commands


def parse_markdown(text: str, name: str) -> list[Block]:
    """Every runnable block of one Markdown file, with its directives attached."""
    blocks: list[Block] = []
    pending: dict[str, str] = {}  # directives that apply to the next fenced block
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        directive = _DIRECTIVE.match(line)
        fence = _FENCE.match(lines[i])
        if directive:
            key, value = directive.groups()
            if key in ("expect", "expect-exit"):
                if not blocks or blocks[-1].kind != "console":
                    raise ValueError(f"{name}:{i + 1}: {key} must follow a console block")
                if key == "expect":
                    blocks[-1].expects.append(value)
                else:
                    blocks[-1].expect_exit = int(value)
            elif key == "stop":
                blocks.append(Block(kind="stop", source=f"{name}:{i + 1}", path=value))
            elif key in ("background", "file"):
                pending[key] = value
            else:
                raise ValueError(f"{name}:{i + 1}: unknown directive {key!r}")
            i += 1
            continue
        if fence:
            marker, language = fence.groups()
            start = i
            body: list[str] = []
            i += 1
            while i < len(lines) and lines[i].strip() != marker:
                body.append(lines[i])
                i += 1
            i += 1  # the closing fence
            source = f"{name}:{start + 1}"
            if "file" in pending:
                blocks.append(Block(kind="file", source=source, path=pending.pop("file"),
                                    text="\n".join(body) + "\n"))
            elif language == "console":
                block = Block(kind="console", source=source, commands=_commands(body))
                if "background" in pending:
                    match = _BACKGROUND.match(pending.pop("background"))
                    if match is None or len(block.commands) != 1:
                        raise ValueError(f"{source}: background needs 'NAME [wait-for: URL]' "
                                         "and a block of exactly one command")
                    block.background, block.wait_for = match["name"], match["url"]
                blocks.append(block)
            if pending:
                raise ValueError(f"{source}: {', '.join(pending)} directive not used by "
                                 f"a {language or 'plain'} block")
            continue
        i += 1
    return blocks


def tutorial_blocks(folder: Path) -> list[Block]:
    """The blocks of every numbered step (``NN-*.md``) in file-name order."""
    blocks: list[Block] = []
    for path in sorted(folder.glob("[0-9][0-9]-*.md")):
        blocks += parse_markdown(path.read_text(), path.name)
    return blocks
