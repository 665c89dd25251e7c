"""Text and HTML renderings for ``strangler routes`` and ``strangler diffs``: pure strings."""

from __future__ import annotations

from html import escape
from typing import Any

__all__ = ["diffs_html", "diffs_text", "outcome_text", "routes_text"]


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))).rstrip()
            for row in rows]


def routes_text(view: dict[str, Any]) -> str:
    """The live route table from ``GET /routes``."""
    rows: list[tuple[str, ...]] = [("route", "stage", "split svc/mono", "requests", "svc err",
                                    "compared", "match", "file stage")]
    for r in view["routes"]:
        live, diffs = r["live"], r["diffs"] or {}
        rows.append((r["name"], r["label"] + (" *" if r["overridden"] else ""),
                     f"{r['split']['service']}/{r['split']['monolith']}",
                     str(live["requests"]), _rate(live["service_error_rate"]),
                     str(diffs.get("compared", 0)), _rate(diffs.get("match_rate")),
                     r["file"]["label"]))
    lines = _table(rows)
    lines.append(f"(* stage set through the admin API; default upstream {view['default']}, "
                 f"{view['unrouted_requests']} unrouted requests)")
    return "\n".join(lines)


def outcome_text(outcome: dict[str, Any]) -> str:
    lines = [outcome["message"]]
    for gate in outcome.get("gates") or []:
        mark = "ok  " if gate["passed"] else "FAIL"
        lines.append(f"  {mark} {gate['name']}: {gate['detail']}")
    return "\n".join(lines)


def diffs_text(summaries: list[dict[str, Any]],
               examples: dict[str, list[dict[str, Any]]]) -> str:
    if not summaries:
        return "no comparisons recorded yet (routes in stage shadow record them)"
    out: list[str] = []
    for s in summaries:
        out.append(f"{s['route']}: {s['compared']} compared, match rate "
                   f"{_rate(s['match_rate'])}, candidate errors {s['candidate_errors']}/"
                   f"{s['candidate_requests']}, dropped {s['dropped_overload']} (overload) "
                   f"{s['dropped_too_large']} (too large)")
        for top in s["top_paths"]:
            out.append(f"  {top['count']:>6}  {top['path']}")
        for example in examples.get(s["route"], []):
            out.append(f"  example #{example['id']}: {example['method']} {example['target']}")
            for d in example.get("differences", [])[:5]:
                out.append(f"    {d['path']}: {d['primary']!s} -> {d['candidate']!s}")
    return "\n".join(out)


def diffs_html(summaries: list[dict[str, Any]],
               examples: dict[str, list[dict[str, Any]]]) -> str:
    """A self-contained page (inline CSS, no scripts, every value escaped)."""
    sections = []
    for s in summaries:
        paths = "".join(f"<li><code>{escape(p['path'])}</code> × {p['count']}</li>"
                        for p in s["top_paths"]) or "<li>none</li>"
        samples = "".join(
            f"<details><summary>{escape(e['method'])} {escape(e['target'])}</summary><ul>"
            + "".join(f"<li><code>{escape(d['path'])}</code>: {escape(str(d['primary']))} → "
                      f"{escape(str(d['candidate']))}</li>" for d in e.get("differences", []))
            + "</ul></details>" for e in examples.get(s["route"], []))
        sections.append(
            f"<section><h2>{escape(s['route'])}</h2><p>{s['compared']} compared, match rate "
            f"{_rate(s['match_rate'])}, candidate errors {s['candidate_errors']}</p>"
            f"<h3>Top differing paths</h3><ul>{paths}</ul>{samples}</section>")
    body = "".join(sections) or "<p>No comparisons recorded yet.</p>"
    return ("<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>strangler diffs"
            "</title><style>body{font:14px system-ui,sans-serif;margin:24px;color:#1d2430}"
            "code{background:#eef0f3;padding:0 3px}section{margin-bottom:24px}</style></head>"
            f"<body><h1>Shadow differences</h1>{body}</body></html>\n")
