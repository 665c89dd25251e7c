"""The proxy's route choice agrees with Django's own resolver on the monolith's URLconf.

For generated request paths (built from the monolith's real URL patterns, then bent: trailing
slash added or dropped, dot segments, duplicate slashes, percent-encoded unreserved
characters, upper-cased segments, unknown segments), the catalog routes file at stage
``service`` sends a read to the catalog service **iff** Django, given the path the proxy
forwards, resolves it to a catalog view (the five catalog viewsets of
``monolith/core/views.py`` or the catalog router's API root), or enters the catalog's URLconf
and finds nothing there (the service then owns that 404). Writes stay on the monolith.

Both routes files users meet are checked: the demo's (``strangler.demo.routes``) and the
tutorial's ``routes.toml`` (read from ``docs/tutorial/03-put-the-proxy-in-front.md``).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from monolith.core import urls as core_urls
from monolith.core import views
from strangler.demo.config import DemoConfig
from strangler.demo.routes import render_routes
from strangler_proxy.normalize import normalize_path
from strangler_proxy.routes import RouteTable
from strangler_proxy.routes_file import parse_table
from tests.functional.tutorial.markdown import parse_markdown

REPO = Path(__file__).resolve().parents[2]
READS = ("GET", "HEAD", "OPTIONS")
WRITES = ("POST", "PUT", "PATCH", "DELETE")
CATALOG_VIEWSETS = frozenset({views.TitleViewSet, views.GenreViewSet, views.SeasonViewSet,
                              views.EpisodeViewSet, views.PersonViewSet})
# The catalog router's URLs are built once and cached, so its API root view is this object.
CATALOG_ROOT = next(p.callback for p in core_urls.catalog_router.urls if p.name == "api-root")
CATALOG_INCLUDE = next(p for p in core_urls.urlpatterns
                       if isinstance(p, URLResolver) and str(p.pattern) == "api/catalog/")
UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
# Literal segments of the real URLs, near misses, and ids: for paths the patterns miss.
VOCABULARY = ("api", "catalog", "catalogue", "titles", "genres", "seasons", "episodes", "people",
              "accounts", "billing", "me", "plans", "browse", "healthz", "admin", "outbox",
              "playback", "ratings", "recommendations", "titles.json", ".json", "1", "42",
              "abc", "x-y_z~")
# Bounded stand-ins for the patterns' open character classes (ids, formats, slugs).
_BOUNDED = {"[^/.]+": "[A-Za-z0-9_~-]{1,6}", "[0-9]+": "[0-9]{1,5}", "[a-z0-9]+": "[a-z0-9]{1,4}",
            "[-a-zA-Z0-9_]+": "[-a-zA-Z0-9_]{1,6}"}


def _templates(patterns, prefix: str = "") -> list[str]:
    """One full-path regex per leaf URL pattern (the admin's own patterns left out)."""
    out: list[str] = []
    for pattern in patterns:
        piece = pattern.pattern.regex.pattern.lstrip("^")
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern) != "admin/":
                out += _templates(pattern.url_patterns, prefix + piece)
        elif isinstance(pattern, URLPattern):
            out.append("/" + prefix + re.sub(r"(\\Z|\$)$", "", piece))
    for loose, bounded in _BOUNDED.items():
        out = [t.replace(loose, bounded) for t in out]
    return out


def _routes_table(text: str, name: str) -> RouteTable:
    # Stage service: the stage that sends the catalog's reads to the catalog service.
    return parse_table(re.sub(r'(?m)^stage = "\w+"', 'stage = "service"', text), name)


def _tutorial_routes() -> str:
    doc = REPO / "docs" / "tutorial" / "03-put-the-proxy-in-front.md"
    blocks = parse_markdown(doc.read_text(), doc.name)
    return next(b.text for b in blocks if b.kind == "file" and b.path == "routes.toml")


TABLES = {
    "demo": _routes_table(render_routes(DemoConfig(stage="service")), "demo-routes.toml"),
    "tutorial": _routes_table(_tutorial_routes(), "routes.toml"),
}


_ALL = _templates(get_resolver().url_patterns)
REAL_PATHS = st.one_of([st.from_regex(t, fullmatch=True) for t in _ALL])
# The catalog's own URLs, drawn more often so both answers are well represented.
CATALOG_PATHS = st.one_of([st.from_regex(t, fullmatch=True)
                           for t in _ALL if t.startswith("/api/catalog/")])


@st.composite
def request_paths(draw) -> str:
    """A raw request path: a real URL or a vocabulary path, then bent in valid ways."""
    source = draw(st.integers(0, 5))
    if source < 2:
        path = draw(CATALOG_PATHS)
    elif source < 4:
        path = draw(REAL_PATHS)
    else:
        words = draw(st.lists(st.sampled_from(VOCABULARY), min_size=0, max_size=5))
        path = "/" + "/".join(words) + draw(st.sampled_from(["", "/"]))
    segments = path.split("/")[1:]
    if draw(st.booleans()):  # toggle the trailing slash
        segments = segments[:-1] if segments and segments[-1] == "" else [*segments, ""]
    for _ in range(draw(st.integers(0, 2))):  # dot segments and duplicate slashes
        at = draw(st.integers(0, len(segments)))
        bend = draw(st.sampled_from([["."], [""], ["x", ".."], [".."], ["catalog", ".."]]))
        segments[at:at] = bend
    if segments and draw(st.integers(0, 9)) == 0:
        at = draw(st.integers(0, len(segments) - 1))
        segments[at] = segments[at].upper()
    raw = "/" + "/".join(segments)
    encoded = []
    for char in raw:  # percent-encode some unreserved characters, upper or lower hex
        if char in UNRESERVED and draw(st.integers(0, 7)) == 0:
            code = f"%{ord(char):02X}"
            encoded.append(code.lower() if draw(st.booleans()) else code)
        else:
            encoded.append(char)
    return "".join(encoded)


def catalog_owns(path: str) -> bool:
    """Django's answer: does the monolith's URLconf send this path to the catalog?"""
    try:
        match = resolve(path)
    except Resolver404 as exc:
        # Entered the catalog's include and found no view there: the catalog's own 404.
        tried = exc.args[0].get("tried", []) if exc.args else []
        return any(CATALOG_INCLUDE in chain[:-1] for chain in tried)
    return match.func is CATALOG_ROOT or getattr(match.func, "cls", None) in CATALOG_VIEWSETS


def proxy_target(table: RouteTable, method: str, raw_path: str) -> tuple[str, str]:
    """(upstream, forwarded path) as the proxy decides them."""
    path = normalize_path(raw_path.encode("ascii"))
    decision = table.decide(method, "127.0.0.1:8080", path, {}, "127.0.0.1")
    return decision.primary, decision.forward_path


@pytest.mark.parametrize("name", sorted(TABLES))
@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(raw_path=request_paths(), method=st.sampled_from(READS + WRITES))
def test_proxy_route_choice_agrees_with_django(name: str, raw_path: str, method: str) -> None:
    upstream, forwarded = proxy_target(TABLES[name], method, raw_path)
    # The monolith's server percent-decodes what the proxy forwards before Django resolves it.
    owned = catalog_owns(unquote(forwarded))
    event(f"catalog owns: {owned}")
    expected = "catalog" if owned and method in READS else "monolith"
    assert upstream == expected, (raw_path, forwarded, method)


@pytest.mark.parametrize(("raw_path", "owned"), [
    ("/api/catalog/", True),                       # the catalog router's API root
    ("/api/catalog/.json", True),                  # ... with a format suffix
    ("/api/catalog/titles/3/", True),
    ("/api/catalog/titles/3.json", True),
    ("/api/catalog/people/ab-c/", True),
    ("/api/catalog/titles", True),                 # no view, but inside the catalog's URLconf
    ("/api/catalog/nothing/here/", True),
    ("/api//./%63atalog/titles/3/", True),         # normalised to /api/catalog/titles/3/
    ("/api/catalog", False),                       # the include needs the slash
    ("/api/catalogue/", False),
    ("/API/catalog/titles/", False),
    ("/api/catalog/../accounts/me/", False),
    ("/titles/3/", False),                         # the old page stays in the monolith
    ("/api/ratings/ratings/", False),
    ("/browse/", False),
])
@pytest.mark.parametrize("name", sorted(TABLES))
def test_known_paths(name: str, raw_path: str, owned: bool) -> None:
    upstream, forwarded = proxy_target(TABLES[name], "GET", raw_path)
    assert catalog_owns(unquote(forwarded)) is owned
    assert upstream == ("catalog" if owned else "monolith")
    assert proxy_target(TABLES[name], "POST", raw_path)[0] == "monolith"
