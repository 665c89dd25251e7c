"""Markdown (with a Mermaid diagram) and self-contained HTML (inline SVG, no CDN) of a plan."""

from __future__ import annotations

import re
from html import escape

from analysis.plan.model import Plan, Seam
from analysis.render.svg import Arrow, Box, render_svg

_CSS = """
body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:8px 0;font-size:13px}
td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f1f3f7}code{font-size:12px}.risk{font-weight:bold}
"""


def _mermaid_id(name: str) -> str:
    return "s_" + re.sub(r"\W", "_", name)


def _where(seam: Seam) -> str:
    return ", ".join(f"{f}:{line}" for f, line in seam.locations) or "?"


def render_plan_markdown(plan: Plan) -> str:
    p = plan.proposal
    lines = [f"# Extraction plan for `{plan.root}/`", "",
             f"{len(p.services)} services at {p.granularity} granularity (seed {p.seed}); "
             f"shared kernel of {len(p.kernel)} members (a library, not a service).", "",
             "```mermaid", "flowchart LR"]  # fmt: skip
    for service in p.services:
        lines.append(f'  {_mermaid_id(service.name)}["{service.name}<br/>'
                     f'{len(service.members)} members, {len(service.models)} models"]')
    if p.kernel:
        lines.append(f'  {_mermaid_id("shared")}["shared (library)<br/>{len(p.kernel)} members"]')
    for link in plan.links:
        kinds = ", ".join(f"{k} {n}" for k, n in link.kinds)
        lines.append(f'  {_mermaid_id(link.source)} -->|"{link.seams}: {kinds}"| '
                     f"{_mermaid_id(link.target)}")
    lines += ["```", "", "## Metrics", "", "| metric | value |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in sorted(plan.metrics.items())]
    lines += ["", "## Services", "", "| service | members | models | tables | URL prefixes |",
              "|---|---|---|---|---|"]
    for s in p.services:
        lines.append(f"| {s.name} | {len(s.members)} | {', '.join(s.models)} | "
                     f"{', '.join(s.tables)} | {', '.join(f'`{u}`' for u in s.url_prefixes)} |")
    lines += ["", "## Extraction order", "", "| # | service | risk | inbound seams | "
              "shared writes | seams to cut |", "|---|---|---|---|---|---|"]
    lines += [f"| {st.order} | {st.service} | {st.risk} | {st.inbound} | {st.shared_writes} | "
              f"{len(st.seams_to_cut)} |" for st in plan.steps]
    lines += ["", "Cycles broken at: " + (", ".join(
        f"{a} -> {b} ({w:g})" for a, b, w in plan.broken_cycle_edges) or "none")]
    lines += ["", "## Data ownership", "", "| model | owner | readers | writers | shared write |",
              "|---|---|---|---|---|"]
    lines += [f"| {o.model} | {o.owner} | {', '.join(o.readers)} | {', '.join(o.writers)} | "
              f"{'yes' if o.shared_write else ''} |" for o in plan.ownership]
    lines += ["", "## Seams", "", "| from | to | kind | source -> target | where | change |",
              "|---|---|---|---|---|---|"]
    lines += [f"| {s.from_service} | {s.to_service} | {s.kind} | `{s.source}` -> `{s.target}` | "
              f"{_where(s)} | {s.change} |" for s in plan.seams]
    return "\n".join(lines) + "\n"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_plan_html(plan: Plan) -> str:
    p = plan.proposal
    boxes = [Box(s.name, s.name, f"{len(s.members)} members, {len(s.models)} models",
                 len(s.members)) for s in p.services]
    if p.kernel:
        boxes.append(Box("shared", "shared (library)", f"{len(p.kernel)} members", len(p.kernel)))
    arrows = [Arrow(l.source, l.target, ", ".join(f"{k} {n}" for k, n in l.kinds), l.seams)
              for l in plan.links]  # noqa: E741
    picture = render_svg(boxes, arrows, f"Proposed services of {plan.root}")
    e = escape
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>strangler plan: {e(plan.root)}</title><style>{_CSS}</style></head><body>",
        f"<h1>Extraction plan for {e(plan.root)}/</h1>",
        f"<p>{len(p.services)} services at {e(p.granularity)} granularity (seed {p.seed}); "
        f"arrows are seams (count on each), the shared kernel is a library.</p>",
        picture,
        "<h2>Metrics</h2>",
        _table(["metric", "value"], [[e(k), e(str(v))] for k, v in sorted(plan.metrics.items())]),
        "<h2>Services</h2>",
        _table(["service", "members", "models", "tables", "URL prefixes"], [
            [e(s.name), str(len(s.members)), e(", ".join(s.models)), e(", ".join(s.tables)),
             "<br>".join(f"<code>{e(u)}</code>" for u in s.url_prefixes)]
            for s in p.services]),
        "<h2>Extraction order</h2>",
        _table(["#", "service", "risk", "inbound seams", "shared writes", "seams to cut"], [
            [str(st.order), e(st.service), f'<span class="risk">{st.risk}</span>',
             str(st.inbound), str(st.shared_writes), str(len(st.seams_to_cut))]
            for st in plan.steps]),
        "<p>Cycles broken at: " + e(", ".join(
            f"{a} -> {b} ({w:g})" for a, b, w in plan.broken_cycle_edges) or "none") + "</p>",
        "<h2>Data ownership</h2>",
        _table(["model", "owner", "readers", "writers", "shared write"], [
            [e(o.model), e(o.owner), e(", ".join(o.readers)), e(", ".join(o.writers)),
             "yes" if o.shared_write else ""] for o in plan.ownership]),
        "<h2>Seams</h2>",
        _table(["from", "to", "kind", "source → target", "where", "change"], [
            [e(s.from_service), e(s.to_service), e(s.kind),
             f"<code>{e(s.source)}</code> → <code>{e(s.target)}</code>",
             f"<code>{e(_where(s))}</code>", e(s.change)] for s in plan.seams]),
        "</body></html>",
    ]  # fmt: skip
    return "\n".join(parts) + "\n"
