"""An inline SVG picture of a small graph: nodes on a circle, arrows with labels.

Pure geometry over what it is given (no analysis): boxes sized by ``size``, arrows whose
width follows ``weight``. Used by the HTML reports of ``analyze`` and ``plan``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 960, 620
PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1",
           "#ff9da7", "#9c755f", "#bab0ac")  # fmt: skip


@dataclass(frozen=True)
class Box:
    id: str
    label: str
    detail: str
    size: int


@dataclass(frozen=True)
class Arrow:
    source: str
    target: str
    label: str
    weight: int


def render_svg(boxes: list[Box], arrows: list[Arrow], title: str) -> str:
    cx, cy = WIDTH / 2, HEIGHT / 2
    # An ellipse filling the canvas: boxes are wider than tall.
    rx, ry = cx - 90, cy - 50
    where: dict[str, tuple[float, float]] = {}
    for index, box in enumerate(boxes):
        angle = 2 * math.pi * index / max(1, len(boxes)) - math.pi / 2
        where[box.id] = (cx + rx * math.cos(angle), cy + ry * math.sin(angle))
    heaviest = max((a.weight for a in arrows), default=1) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="12" '
        'markerHeight="12" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
        '<path d="M 0 0 L 10 5 L 0 10 z" '
        'fill="#555"/></marker></defs>',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fbfbfd"/>',
    ]
    for arrow in arrows:
        if arrow.source not in where or arrow.target not in where:
            continue
        (x1, y1), (x2, y2) = where[arrow.source], where[arrow.target]
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy) or 1
        # Stop short of the box; bend a little so a->b and b->a stay apart.
        ex, ey = x2 - dx / length * 62, y2 - dy / length * 30
        mx, my = (x1 + x2) / 2 - dy / length * 24, (y1 + y2) / 2 + dx / length * 24
        width = 1 + 5 * arrow.weight / heaviest
        parts.append(
            f'<path d="M {x1:.1f} {y1:.1f} Q {mx:.1f} {my:.1f} {ex:.1f} {ey:.1f}" fill="none" '
            f'stroke="#555" stroke-opacity="0.55" stroke-width="{width:.1f}" '
            f'marker-end="url(#arrow)"><title>{escape(arrow.label)}</title></path>'
        )
        parts.append(
            f'<text x="{mx:.1f}" y="{my:.1f}" font-size="11" text-anchor="middle" '
            f'fill="#333">{escape(str(arrow.weight))}</text>'
        )
    for index, box in enumerate(boxes):
        x, y = where[box.id]
        color = PALETTE[index % len(PALETTE)]
        parts.append(
            f'<g><rect x="{x - 82:.1f}" y="{y - 28:.1f}" width="164" height="56" rx="10" '
            f'fill="{color}" stroke="#222" stroke-width="1"/>'
            f'<text x="{x:.1f}" y="{y - 4:.1f}" font-size="14" font-weight="bold" '
            f'text-anchor="middle" fill="#fff">{escape(box.label)}</text>'
            f'<text x="{x:.1f}" y="{y + 15:.1f}" font-size="11" text-anchor="middle" '
            f'fill="#fff">{escape(box.detail)}</text><title>{escape(box.id)}</title></g>'
        )
    parts.append("</svg>")
    return "\n".join(parts)
