import re
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser

import pytest

from strangler_proxy.dashboard import DashboardData, RouteView, render_dashboard

CHROMIUM = "/usr/bin/chromium"

DATA = DashboardData(
    generated_at="2026-11-26 15:40 UTC",
    unrouted_requests=2000,
    routes=(
        RouteView(name="orders", stage="monolith", requests=3000),
        RouteView(name="catalog", stage="canary", percent=25, requests=4000,
                  service_requests=1000, compared=3800, match_rate=0.9712,
                  primary_error_rate=0.001, candidate_error_rate=0.034,
                  primary_p99_ms=12.5, candidate_p99_ms=19.0,
                  top_diffs=(("results[*].price", 81), ("next", 3))),
        RouteView(name="accounts", stage="service", requests=1000, service_requests=1000,
                  compared=900, match_rate=0.999),
        RouteView(name="search<script>", stage="shadow", compared=10, match_rate=1.0),
    ),
)


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.rows, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "tr" and dict(attrs).get("data-route"):
            self.rows.append(dict(attrs)["data-route"])

    def handle_data(self, data):
        self.text.append(data)


def parse(html):
    collector = _Collect()
    collector.feed(html)
    return collector


def test_every_route_with_stage_split_rates_and_diffs():
    html = render_dashboard(DATA)
    page = parse(html)
    assert page.rows == ["accounts", "catalog", "orders", "search<script>"]
    text = " ".join(page.text)
    assert "canary 25%" in text and "97.1%" in text and "3.40%" in text
    assert "results[*].price" in text and "× 81" in text
    assert "12.5 ms / 19.0 ms" in text
    # 1000 + 1000 of 10000 requests are answered by services
    assert re.search(r'id="service-share".*?20\.0%', html, re.DOTALL)


def test_page_is_self_contained_and_escaped():
    html = render_dashboard(DATA)
    assert "<script" not in html  # the hostile route name is escaped, and no scripts exist
    assert "search&lt;script&gt;" in html
    for tag, attrs in parse(html).tags:
        assert tag != "link" and "src" not in attrs
        assert not any(str(v).startswith(("http:", "https:", "//")) for v in attrs.values())
    assert html.count("<svg") == 1 + len(DATA.routes)


def test_empty_dashboard():
    html = render_dashboard(DashboardData(routes=(), generated_at="now"))
    assert "No routes configured." in html and "—" in html


def _png_is_not_blank(data: bytes) -> bool:
    """Decode an 8-bit RGB(A) PNG with the stdlib and look for more than one colour."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, colour = 8, b"", 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, _, colour = struct.unpack(">IIBB", chunk[:10])
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    channels = {2: 3, 6: 4}[colour]
    raw = zlib.decompress(idat)
    stride = width * channels + 1
    colours = set()
    for row in range(0, height, 7):
        line = raw[row * stride + 1:(row + 1) * stride]  # filtered bytes still vary with content
        colours.update(line[i:i + channels] for i in range(0, len(line), channels * 13))
        if len(colours) > 8:
            return True
    return False


def test_renders_in_headless_chromium(tmp_path):
    if shutil.which(CHROMIUM) is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    page = tmp_path / "dashboard.html"
    page.write_text(render_dashboard(DATA), encoding="utf-8")
    shot = tmp_path / "dashboard.png"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-dev-shm-usage",
                    f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}",
                    "--window-size=1280,900", page.as_uri()],
                   check=True, capture_output=True, timeout=90)
    data = shot.read_bytes()
    assert len(data) > 10_000
    assert _png_is_not_blank(data)
