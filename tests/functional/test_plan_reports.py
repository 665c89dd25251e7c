"""The plan's human reports: Markdown with Mermaid, self-contained HTML rendered by a real
headless chromium, and import-linter contracts run by the real ``lint-imports``."""

import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from strangler.cli import cli

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"


def _run(*args):
    result = CliRunner().invoke(cli, [*args, "--quiet", "--no-cache"])
    assert result.exit_code == 0, result.output
    return result


def test_markdown_embeds_a_mermaid_diagram_of_the_services(tmp_path):
    out = tmp_path / "plan.md"
    _run("plan", str(ROOT / "monolith"), "--format", "markdown", "--out", str(out))
    text = out.read_text()
    assert "```mermaid\nflowchart LR" in text
    assert 's_catalog["catalog' in text and "## Seams" in text
    assert "monolith/playback/models.py:" in text


def _png_pixels(png: bytes) -> tuple[int, int, set[bytes]]:
    """Width, height and the distinct RGB(A) pixel values of a non-interlaced 8-bit PNG."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, data, width, height, channels = 8, b"", 0, 0, 4
    while pos < len(png):
        (length,), kind = struct.unpack(">I", png[pos:pos + 4]), png[pos + 4:pos + 8]
        body = png[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
            assert depth == 8
            channels = {2: 3, 6: 4}[color]
        elif kind == b"IDAT":
            data += body
        pos += 12 + length
    raw = zlib.decompress(data)
    stride = width * channels + 1
    colours = {raw[row * stride + 1 + i:row * stride + 1 + i + channels]
               for row in range(0, height, 7) for i in range(0, width * channels, channels * 7)}
    return width, height, colours


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed here")
def test_html_is_self_contained_and_renders_in_chromium(tmp_path):
    page = tmp_path / "plan.html"
    _run("plan", str(ROOT / "monolith"), "--format", "html", "--out", str(page))
    html = page.read_text()
    assert "<svg" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html and "<script" not in html
    assert "monolith/core/views.py:" in html  # each seam's file:line
    shot = tmp_path / "shot.png"
    subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
         f"--screenshot={shot}", "--window-size=1280,900", page.as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    width, height, colours = _png_pixels(shot.read_bytes())
    assert (width, height) == (1280, 900)
    assert len(colours) > 20  # boxes in several colours, text, arrows: not a blank page


def test_analyze_writes_markdown_and_html(tmp_path):
    md = _run("analyze", str(ROOT / "monolith"), "--format", "markdown").output
    assert "```mermaid" in md and "## Heaviest cross-app dependencies" in md
    html = _run("analyze", str(ROOT / "monolith"), "--format", "html").output
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html


def test_emitted_contracts_run_under_lint_imports(tmp_path):
    contracts = tmp_path / "boundaries.ini"
    _run("plan", str(ROOT / "monolith"), "--out", str(tmp_path / "p.txt"),
         "--emit-contracts", str(contracts))
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint is not None
    run = subprocess.run([lint, "--config", str(contracts)], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    # The tangled monolith breaks most boundaries: that is the point (exit 1, not a crash).
    assert run.returncode == 1, run.stdout + run.stderr
    assert "playback imports no other service's modules" in run.stdout
    assert "BROKEN" in run.stdout and "KEPT" in run.stdout
