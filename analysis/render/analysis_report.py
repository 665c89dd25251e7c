"""Markdown (with Mermaid) and self-contained HTML (inline SVG) of an analysis ``Report``."""

from __future__ import annotations

import re
from html import escape

from analysis.render.svg import Arrow, Box, render_svg
from analysis.summary import Report

_CSS = ("body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}"
        "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;"
        "padding:4px 8px;text-align:left}th{background:#f1f3f7}")  # fmt: skip


def _mid(text: str) -> str:
    return "a_" + re.sub(r"\W", "_", text)


def render_report_markdown(report: Report) -> str:
    lines = [f"# Dependencies of `{report.root}/` ({report.granularity} granularity)", "",
             f"{report.files} files, {len(report.graph)} nodes, {len(report.skipped)} skipped.",
             "", "```mermaid", "flowchart LR"]  # fmt: skip
    lines += [f'  {_mid(a.label)}["{a.label}<br/>{a.modules} modules"]' for a in report.apps]
    lines += [f'  {_mid(d.source)} -->|"{d.weight}"| {_mid(d.target)}' for d in report.heaviest]
    lines += ["```", "", "## Apps", "", "| app | package | modules | models |", "|---|---|---|---|"]
    lines += [f"| {a.label} | `{a.package}` | {a.modules} | "
              f"{', '.join(m.partition('.')[2] for m in a.models)} |" for a in report.apps]
    lines += ["", "## Heaviest cross-app dependencies", "", "| from | to | weight | kinds | "
              "e.g. |", "|---|---|---|---|---|"]
    lines += [f"| {d.source} | {d.target} | {d.weight} | "
              f"{', '.join(f'{k} {w}' for k, w in d.kinds)} | {d.example.file}:{d.example.line} |"
              for d in report.heaviest]
    lines += ["", "## Cycles between apps", ""]
    lines += [f"- {' -> '.join((*c, c[0]))}" for c in report.app_cycles] or ["none"]
    lines += ["", "## Skipped files", ""]
    lines += [f"- `{f}`: {r}" for f, r in report.skipped] or ["none"]
    return "\n".join(lines) + "\n"


def render_report_html(report: Report) -> str:
    e = escape
    boxes = [Box(a.label, a.label, f"{a.modules} modules, {len(a.models)} models", a.modules)
             for a in report.apps]
    arrows = [Arrow(d.source, d.target, ", ".join(f"{k} {w}" for k, w in d.kinds), d.weight)
              for d in report.heaviest]
    rows = "".join(
        f"<tr><td>{e(d.source)}</td><td>{e(d.target)}</td><td>{d.weight}</td>"
        f"<td>{e(', '.join(f'{k} {w}' for k, w in d.kinds))}</td>"
        f"<td><code>{e(d.example.file)}:{d.example.line}</code></td></tr>"
        for d in report.heaviest
    )
    cycles = "".join(f"<li>{e(' -> '.join((*c, c[0])))}</li>" for c in report.app_cycles)
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>strangler analysis: {e(report.root)}</title><style>{_CSS}</style></head><body>",
        f"<h1>Dependencies of {e(report.root)}/</h1>",
        f"<p>{report.files} files, {len(report.graph)} nodes at {e(report.granularity)} "
        f"granularity, {len(report.skipped)} skipped.</p>",
        render_svg(boxes, arrows, f"Django apps of {report.root}"),
        "<h2>Heaviest cross-app dependencies</h2>",
        "<table><tr><th>from</th><th>to</th><th>weight</th><th>kinds</th><th>e.g.</th></tr>"
        f"{rows}</table>",
        f"<h2>Cycles between apps</h2><ul>{cycles or '<li>none</li>'}</ul>",
        "</body></html>",
    ]) + "\n"  # fmt: skip
