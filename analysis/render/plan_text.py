"""A readable extraction plan: services, metrics, the order with risk, and the seams."""

from __future__ import annotations

from analysis.plan.model import Plan

SEAM_LIMIT = 40
STEP_SEAMS = 5


def render_plan_text(plan: Plan) -> str:
    p = plan.proposal
    lines = [f"strangler plan for {plan.root}/ ({p.granularity} granularity, seed {p.seed})", ""]
    lines.append("Metrics")
    lines += [f"  {k:<26} {v}" for k, v in sorted(plan.metrics.items())]
    lines += ["", "Proposed services"]
    for service in p.services:
        lines.append(f"  {service.name}: {len(service.members)} members")
        if service.models:
            lines.append(f"      models: {', '.join(service.models)}")
        if service.url_prefixes:
            lines.append(f"      urls: {', '.join(service.url_prefixes)}")
    lines.append(f"  shared kernel (a library, not a service): {len(p.kernel)} members")
    lines += [f"      {member}" for member in p.kernel]
    lines += ["", "Extraction order"]
    for step in plan.steps:
        lines.append(
            f"  {step.order}. {step.service}  risk {step.risk}  inbound seams {step.inbound}"
            f"  shared writes {step.shared_writes}"
        )
        if step.tables:
            lines.append(f"      tables: {', '.join(step.tables)}")
        if step.url_patterns:
            lines.append(f"      takes over: {', '.join(step.url_patterns)}")
        for seam in step.seams_to_cut[:STEP_SEAMS]:
            where = f"{seam.locations[0].file}:{seam.locations[0].line}" if seam.locations else "?"
            lines.append(f"      cut: {seam.kind} {seam.source} -> {seam.target} ({where})")
        if len(step.seams_to_cut) > STEP_SEAMS:
            lines.append(f"      ... and {len(step.seams_to_cut) - STEP_SEAMS} more seams")
    lines += ["", "Cycles broken at (from -> to, weight)"]
    lines += [f"  {a} -> {b}  {w:g}" for a, b, w in plan.broken_cycle_edges] or ["  none"]
    lines += ["", "Data written by more than one service"]
    shared = [o for o in plan.ownership if o.shared_write]
    lines += [f"  {o.model}: {', '.join(o.writers)}" for o in shared] or ["  none"]
    lines += ["", "Distributed transactions"]
    lines += [
        f"  {t.owner} ({t.location.file}:{t.location.line}): {', '.join(t.services)}"
        for t in plan.transactions
    ] or ["  none"]
    lines += ["", f"Seams ({len(plan.seams)}; the first {SEAM_LIMIT} shown, all in the JSON)"]
    for seam in plan.seams[:SEAM_LIMIT]:
        where = f"{seam.locations[0].file}:{seam.locations[0].line}" if seam.locations else "?"
        lines.append(
            f"  {seam.from_service} -> {seam.to_service} {seam.kind} {seam.source} -> "
            f"{seam.target} at {where}: {seam.change}"
        )
    return "\n".join(lines) + "\n"
