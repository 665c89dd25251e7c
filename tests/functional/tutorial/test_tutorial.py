"""The tutorial cannot rot: every console block of ``docs/tutorial/`` runs here, in order.

``test_the_tutorial_runs_end_to_end`` copies the repository into a temp workspace and runs
each step's commands as a reader would (servers in the background, ports mapped to free
ones), failing on the first command that exits wrongly or output that is missing. The other
tests pin the runner itself: a failing command and a missing output must fail it.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from tests.functional.tutorial.markdown import parse_markdown, tutorial_blocks
from tests.functional.tutorial.workspace import (
    REPO,
    TutorialFailure,
    Workspace,
    copy_repository,
)

TUTORIAL = REPO / "docs" / "tutorial"


def _workspace(tmp_path: Path) -> Workspace:
    root = tmp_path / "workspace"
    root.mkdir(exist_ok=True)
    return Workspace(root=root, scratch=tmp_path / "scratch")


def _run_all(workspace: Workspace, markdown: str) -> None:
    try:
        for block in parse_markdown(textwrap.dedent(markdown), "test.md"):
            workspace.run(block)
    finally:
        workspace.close()


@pytest.mark.slow
def test_the_tutorial_runs_end_to_end(tmp_path: Path) -> None:
    for tool in ("curl", "patch"):  # the reader's tools, not Python's
        if shutil.which(tool) is None:
            pytest.skip(f"the tutorial's commands need `{tool}`, which is not installed")
    blocks = tutorial_blocks(TUTORIAL)
    assert sum(len(b.commands) for b in blocks) >= 30  # the steps are there, not skipped
    patched = REPO / "extracted" / "catalog" / "common" / "authentication.py"
    before = patched.read_bytes()
    root = copy_repository(tmp_path / "workspace")
    (root / ".venv").symlink_to(REPO / ".venv")  # `. .venv/bin/activate` works as in a clone
    workspace = Workspace(root=root, scratch=tmp_path / "scratch")
    try:
        for block in blocks:
            workspace.run(block)
    finally:
        workspace.close()
    # The workspace took the patch of step 6; the repository did not.
    assert b'return "Token"' in (root / patched.relative_to(REPO)).read_bytes()
    assert patched.read_bytes() == before


def test_commands_share_environment_and_directory(tmp_path: Path) -> None:
    _run_all(_workspace(tmp_path), """\
        ```console
        $ export GREETING=hello && mkdir -p sub && cd sub
        $ echo "$GREETING from $(basename "$PWD")"
        hello from sub
        ```
        <!-- expect: ^hello from sub$ -->
    """)


def test_a_failing_command_fails_the_run(tmp_path: Path) -> None:
    with pytest.raises(TutorialFailure, match=r"test.md:1: `ls no-such-file` exited 2"):
        _run_all(_workspace(tmp_path), """\
            ```console
            $ ls no-such-file
            ```
        """)


def test_a_missing_output_fails_the_run(tmp_path: Path) -> None:
    with pytest.raises(TutorialFailure, match=r"expected output /\^goodbye\$/ is missing"):
        _run_all(_workspace(tmp_path), """\
            ```console
            $ echo hello
            ```
            <!-- expect: ^goodbye$ -->
        """)


def test_an_expected_exit_code_is_checked_both_ways(tmp_path: Path) -> None:
    _run_all(_workspace(tmp_path), """\
        ```console
        $ exit 1
        ```
        <!-- expect-exit: 1 -->
    """)
    with pytest.raises(TutorialFailure, match="exited 0 \\(expected 1\\)"):
        _run_all(_workspace(tmp_path), """\
            ```console
            $ true
            ```
            <!-- expect-exit: 1 -->
        """)


def test_files_ports_and_background_servers(tmp_path: Path) -> None:
    workspace = _workspace(tmp_path)
    port = workspace.ports[8080]
    _run_all(workspace, """\
        <!-- file: site/index.html -->
        ```html
        served on 8080
        ```

        <!-- background: web wait-for: http://127.0.0.1:8080/index.html -->
        ```console
        $ python -m http.server 8080 --bind 127.0.0.1 --directory site
        ```

        ```console
        $ curl -s http://127.0.0.1:8080/index.html
        served on 8080
        ```
        <!-- expect: ^served on 8080$ -->

        <!-- stop: web -->
    """)
    assert (workspace.root / "site" / "index.html").read_text() == f"served on {port}\n"
    assert workspace.background == {}


def test_a_background_command_that_dies_fails_the_run(tmp_path: Path) -> None:
    with pytest.raises(TutorialFailure, match="exited 3"):
        _run_all(_workspace(tmp_path), """\
            <!-- background: broken wait-for: http://127.0.0.1:8000/ -->
            ```console
            $ sh -c 'exit 3'
            ```
        """)


def test_directives_out_of_place_are_refused() -> None:
    with pytest.raises(ValueError, match="expect must follow a console block"):
        parse_markdown("<!-- expect: x -->\n", "bad.md")
    with pytest.raises(ValueError, match="unknown directive 'expcet'"):
        parse_markdown("```console\n$ true\n```\n<!-- expcet: x -->\n", "bad.md")
