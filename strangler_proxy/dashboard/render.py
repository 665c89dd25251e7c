"""Render the dashboard as one self-contained HTML string (inline CSS and SVG, no CDN)."""

from __future__ import annotations

from html import escape
from importlib import resources
from string import Template

from strangler_proxy.dashboard.model import DashboardData, RouteView

_TEMPLATE = Template(resources.files(__package__).joinpath("template.html")
                     .read_text(encoding="utf-8"))
MONOLITH_COLOUR = "#8a6d3b"
SERVICE_COLOUR = "#2e7d32"
BAD_MATCH_RATE = 0.99  # below this the match rate is shown in red
BAD_ERROR_RATE = 0.01


def render_dashboard(data: DashboardData) -> str:
    """The whole page; every value from ``data`` is HTML-escaped."""
    routes = sorted(data.routes, key=lambda r: r.name)
    share = data.service_share
    return _TEMPLATE.substitute(
        title=escape(data.title),
        generated_at=escape(data.generated_at),
        route_count=len(routes),
        total_requests=f"{data.total_requests:,}",
        service_share=_percent(share),
        share_bar=split_bar(share or 0.0, width=180, label="share of all traffic"),
        routes_on_service=sum(r.stage == "service" for r in routes),
        routes_in_flight=sum(r.stage in ("shadow", "canary") for r in routes),
        total_compared=f"{sum(r.compared for r in routes):,}",
        rows="\n".join(_row(r) for r in routes) or
             '<tr><td colspan="10">No routes configured.</td></tr>',
    )


def split_bar(service_fraction: float, *, width: int = 120, label: str = "split") -> str:
    """An inline SVG bar: the service's share in green, the monolith's in brown."""
    fraction = min(max(service_fraction, 0.0), 1.0)
    service_w = round(width * fraction)
    return (f'<svg class="bar" width="{width}" height="12" role="img" '
            f'aria-label="{escape(label)}: {fraction:.0%} service">'
            f'<rect width="{width}" height="12" fill="{MONOLITH_COLOUR}"/>'
            f'<rect width="{service_w}" height="12" fill="{SERVICE_COLOUR}"/></svg>')


def _row(route: RouteView) -> str:
    stage = escape(route.stage)
    label = f"{stage} {route.percent}%" if route.stage == "canary" else stage
    served = route.service_requests / route.requests if route.requests else _planned(route)
    diffs = "".join(f"<li><code>{escape(path)}</code> × {count:,}</li>"
                    for path, count in route.top_diffs)
    match = _percent(route.match_rate)
    match_bad = route.match_rate is not None and route.match_rate < BAD_MATCH_RATE
    return (
        f'<tr data-route="{escape(route.name)}"><td>{escape(route.name)}</td>'
        f'<td><span class="stage stage-{stage}">{label}</span></td>'
        f'<td class="split">{split_bar(served, label=route.name)} {served:.0%}</td>'
        f'<td class="num">{route.requests:,}</td><td class="num">{route.compared:,}</td>'
        f'<td><span class="{"bad" if match_bad else ""}">{match}</span></td>'
        f'<td class="num">{_rate(route.primary_error_rate)}</td>'
        f'<td class="num">{_rate(route.candidate_error_rate)}</td>'
        f'<td class="num">{_ms(route.primary_p99_ms)} / {_ms(route.candidate_p99_ms)}</td>'
        f'<td>{f"<ul class=diffs>{diffs}</ul>" if diffs else "—"}</td></tr>')


def _planned(route: RouteView) -> float:
    # no traffic yet: show the split the stage asks for
    return {"service": 1.0, "canary": route.percent / 100}.get(route.stage, 0.0)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _rate(value: float | None) -> str:
    if value is None:
        return "—"
    text = f"{value:.2%}"
    return f'<span class="bad">{text}</span>' if value > BAD_ERROR_RATE else text


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} ms"
