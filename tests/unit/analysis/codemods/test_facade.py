import libcst as cst
import pytest

from analysis.codemods.plan import load_service_plan
from analysis.codemods.run import facade_service
from tests.unit.analysis.codemods.helpers import EXPECTED_FACADE, SHOP, SHOP_PLAN, copy_shop


@pytest.fixture
def shop_copy(tmp_path):
    return copy_shop(tmp_path)


def test_rewrites_exactly_and_keeps_everything_else(shop_copy):
    outcome = facade_service(shop_copy, load_service_plan(SHOP_PLAN, "products"))
    for rel in ("orders/views.py", "orders/models.py", "products_facade/__init__.py",
                "products_facade/models.py"):
        assert (shop_copy / rel).read_text() == (EXPECTED_FACADE / rel).read_text(), rel
    changed = {c.rel_path for c in outcome.changes}
    assert changed == {
        "shop/orders/models.py", "shop/orders/views.py", "shop/products_facade/__init__.py",
        "shop/products_facade/models.py", "shop/products_facade/serializers.py",
        "shop/products_facade/services.py", "shop/products_facade/views.py",
    }
    # Files with nothing to move are byte for byte the fixture's.
    for rel in ("catalog/models.py", "catalog/views.py", "orders/helpers.py", "urls.py"):
        assert (shop_copy / rel).read_bytes() == (SHOP / rel).read_bytes(), rel


def test_second_run_changes_nothing(shop_copy):
    plan = load_service_plan(SHOP_PLAN, "products")
    facade_service(shop_copy, plan)
    snapshot = {p: p.read_bytes() for p in shop_copy.rglob("*.py")}
    again = facade_service(shop_copy, plan)
    assert again.changes == ()
    assert {p: p.read_bytes() for p in shop_copy.rglob("*.py")} == snapshot


def test_dry_run_writes_nothing_and_reports_module_imports(shop_copy):
    before = {p: p.read_bytes() for p in shop_copy.rglob("*")if p.is_file()}
    outcome = facade_service(shop_copy, load_service_plan(SHOP_PLAN, "products"), dry_run=True)
    assert len(outcome.changes) == 7
    assert {p: p.read_bytes() for p in shop_copy.rglob("*") if p.is_file()} == before
    left = {(u.rel_path, u.line, u.text) for u in outcome.unhandled}
    assert left == {
        ("shop/catalog/urls.py", 4, "from shop.catalog import views"),
        ("shop/orders/helpers.py", 1, "from shop.catalog import models"),
        ("shop/orders/helpers.py", 2, "from shop.catalog.models import *"),
    }


def test_every_rewritten_file_still_parses(shop_copy):
    outcome = facade_service(shop_copy, load_service_plan(SHOP_PLAN, "products"))
    for change in outcome.changes:
        cst.parse_module(change.after)
