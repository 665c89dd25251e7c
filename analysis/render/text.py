"""A readable summary of a ``Report``: apps, models, heaviest cross-app dependencies,
cycles and skipped files."""

from __future__ import annotations

from analysis.summary import Report


def render_text(report: Report) -> str:
    lines = [
        f"strangler analysis of {report.root}/ ({report.granularity} granularity)",
        f"  files: {report.files} ({report.parsed} parsed, {report.from_cache} from cache), "
        f"skipped: {len(report.skipped)}",
        f"  nodes: {len(report.graph)}, edges by kind: "
        + (", ".join(f"{kind} {weight}" for kind, weight in report.edge_kinds) or "none"),
        "",
        "Apps",
    ]
    if report.installed_apps_computed:
        lines.append("  (INSTALLED_APPS is computed; entries read from its literals)")
    for app in report.apps:
        flag = "" if app.installed else "  (not in INSTALLED_APPS)"
        lines.append(f"  {app.label:<20} {app.package}  {app.modules} modules{flag}")
        if app.models:
            lines.append(f"      models: {', '.join(m.partition('.')[2] for m in app.models)}")
    if not report.apps:
        lines.append("  none found")
    lines += ["", "Heaviest cross-app dependencies"]
    for dep in report.heaviest:
        kinds = ", ".join(f"{kind} {weight}" for kind, weight in dep.kinds)
        lines.append(f"  {dep.source} -> {dep.target}  weight {dep.weight}  ({kinds})")
        lines.append(f"      e.g. {dep.example.file}:{dep.example.line}")
    if not report.heaviest:
        lines.append("  none")
    lines += ["", "Cycles between apps"]
    lines += _cycles(report.app_cycle_groups, report.app_cycles)
    lines += ["", "Cycles between modules"]
    lines += _cycles(report.module_cycle_groups, report.module_cycles)
    lines += ["", "Skipped files"]
    lines += [f"  {file}: {reason}" for file, reason in report.skipped] or ["  none"]
    return "\n".join(lines) + "\n"


def _cycles(
    groups: tuple[tuple[str, ...], ...], examples: tuple[tuple[str, ...], ...]
) -> list[str]:
    """Each strongly connected group, then one shortest cycle through it."""
    if not groups:
        return ["  none"]
    lines = []
    for group, example in zip(groups, examples, strict=False):
        lines.append(f"  {len(group)} tangled: {', '.join(group)}")
        lines.append(f"      e.g. {' -> '.join((*example, example[0]))}")
    return lines
