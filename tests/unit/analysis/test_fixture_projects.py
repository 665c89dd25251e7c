"""The fixture projects end to end through extraction, resolution and the graph."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from analysis import AnalysisOptions, AnalysisResult, analyze
from analysis.records import Location
from tests.unit.analysis.helpers import FIXTURES

NO_CACHE = AnalysisOptions(use_cache=False, jobs=1)


@pytest.fixture(scope="module")
def shop() -> AnalysisResult:
    return analyze(FIXTURES / "shop", NO_CACHE)


def _edge(result: AnalysisResult, source: str, target: str, kind: str):  # type: ignore[no-untyped-def]
    found = [e for e in result.graph.edges_between(source, target) if e.kind == kind]
    assert found, (
        f"no {kind} edge {source} -> {target}: {result.graph.edges_between(source, target)}"
    )
    return found[0]


def test_computed_installed_apps_and_app_labels(shop: AnalysisResult) -> None:
    assert shop.installed_apps_computed
    assert "shop.orders.apps.OrdersConfig" in shop.installed_apps
    labels = {app.package: (app.label, app.installed) for app in shop.apps}
    assert labels == {
        "shop.accounts": ("accounts", True),
        "shop.catalog": ("catalog", True),
        "shop.orders": ("sales", True),
    }
    assert shop.graph.node("shop.orders.models:Order").app == "sales"


def test_models_and_relations_in_every_spelling(shop: AnalysisResult) -> None:
    assert shop.models["shop.orders.models:Order"] == "sales.Order"
    assert shop.models["shop.accounts.models:Customer"] == "accounts.Customer"
    # Referenced only by the string "catalog.Product": no import links the two apps.
    product = _edge(shop, "shop.orders.models:Order", "shop.catalog.models:Product", "fk")
    assert product.locations == (Location("shop/orders/models.py", 8),)
    assert not shop.graph.edges_between("shop.orders.models", "shop.catalog.models")
    user = _edge(shop, "shop.orders.models:Order", "shop.accounts.models:Customer", "fk")
    assert user.locations == (Location("shop/orders/models.py", 6),)
    # "sales.Order" uses the AppConfig label, "self" the model itself (no self-edge kept).
    _edge(shop, "shop.orders.models:Receipt", "shop.orders.models:Order", "o2o")
    _edge(shop, "shop.catalog.models:Tag", "shop.catalog.models:Product", "m2m")


def test_orm_transactions_signals_and_celery(shop: AnalysisResult) -> None:
    place = "shop.orders.services:place_order"
    orm = _edge(shop, place, "shop.orders.models:Order", "orm")
    assert orm.details == ("write",)
    txn = _edge(shop, place, "shop.orders.models:Receipt", "transaction")
    assert txn.locations == (
        Location("shop/orders/services.py", 11),
        Location("shop/orders/services.py", 14),
    )
    assert _edge(shop, place, "shop.orders.models:Order", "transaction")
    # Product is only read (before the block): no transaction edge to it.
    read_kinds = {e.kind for e in shop.graph.edges_between(place, "shop.catalog.models:Product")}
    assert "orm" in read_kinds and "transaction" not in read_kinds
    # product__tags__isnull: the lookup joins the catalog's Product and Tag.
    _edge(shop, "shop.orders.services:popular_tags", "shop.catalog.models:Tag", "orm")
    _edge(shop, place, "shop.orders.tasks:send_confirmation", "celery")
    send = _edge(shop, place, "shop.orders.receivers:on_order_placed", "signal")
    assert send.locations == (Location("shop/orders/services.py", 15),)
    _edge(shop, "shop.orders.receivers:on_order_placed", place, "signal")
    _edge(shop, "shop.orders.receivers:on_product_saved", "shop.catalog.models:Product", "signal")
    _edge(shop, "shop.orders.receivers:audit", "shop.catalog.models:Product", "signal")


def test_urls_map_to_views_through_includes_and_routers(shop: AnalysisResult) -> None:
    patterns = {(u.pattern, u.view) for u in shop.urls}
    assert patterns == {
        ("/catalog/products/", "shop.catalog.views:product_list"),
        ("/catalog/products/(?P<pk>\\d+)/", "shop.catalog.views:ProductDetail"),
        ("/orders/api/orders/", "shop.orders.views:OrderViewSet"),
    }
    _edge(shop, "shop.urls", "shop.orders.urls", "url")
    _edge(
        shop,
        "shop.orders.views:OrderViewSet",
        "shop.orders.serializers:OrderSerializer",
        "serializer",
    )
    _edge(shop, "shop.orders.serializers:OrderSerializer", "shop.orders.models:Order", "serializer")
    assert "view" in shop.graph.node("shop.orders.views:OrderViewSet").tags


def test_circular_imports_are_listed_as_module_cycles() -> None:
    result = analyze(FIXTURES / "cycles" / "pkg", NO_CACHE)
    cycles = result.graph.aggregate("module").find_cycles()
    assert cycles == [["pkg.a", "pkg.b", "pkg.c"], ["pkg.d", "pkg.e"]]
    assert result.skipped == ()


def test_broken_files_are_skipped_with_reasons_and_the_rest_analysed() -> None:
    result = analyze(FIXTURES / "broken" / "pkg", NO_CACHE)
    reasons = {s.file: s.reason for s in result.skipped}
    assert reasons["pkg/syntax_error.py"].startswith("syntax error at line 1")
    assert reasons["pkg/legacy_py2.py"].startswith("Python 2 syntax at line 2")
    assert "pkg.healthy:ok" in result.graph


def test_undecodable_files_are_skipped(tmp_path: Path) -> None:
    root = tmp_path / "pkg"
    root.mkdir()
    (root / "__init__.py").write_bytes(b"")
    (root / "latin.py").write_bytes(b"name = '\xe9t\xe9'\n")
    result = analyze(root, NO_CACHE)
    assert [(s.file, s.reason.split(":")[0]) for s in result.skipped] == [
        ("pkg/latin.py", "undecodable bytes")
    ]


def test_the_analysed_code_is_never_imported() -> None:
    trap = FIXTURES / "trap"
    marker = trap / "IMPORTED"
    marker.unlink(missing_ok=True)
    before = set(sys.modules)
    result = analyze(trap, NO_CACHE)
    # Importing trap/ would have written the marker and raised SystemExit.
    assert not marker.exists()
    assert not {name for name in set(sys.modules) - before if name.split(".")[0] == "trap"}
    assert result.models == {"trap.models:Bait": "trap.Bait"}
