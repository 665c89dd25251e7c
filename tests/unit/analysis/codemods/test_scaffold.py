import ast

import pytest

from analysis.codemods.errors import SourceError
from analysis.codemods.plan import ServicePlan, load_service_plan
from analysis.codemods.scaffold import build_scaffold
from tests.unit.analysis.codemods.helpers import MONOLITH, SHOP, SHOP_PLAN


@pytest.fixture(scope="module")
def shop():
    return build_scaffold(SHOP, load_service_plan(SHOP_PLAN, "products"))


def test_layout_follows_the_styleguide(shop):
    assert sorted(shop.files) == [
        "SEAMS.md", "config/__init__.py", "config/asgi.py", "config/settings.py",
        "config/urls.py", "manage.py", "products/__init__.py", "products/apis.py",
        "products/apps.py", "products/migrations/__init__.py", "products/models.py",
        "products/serializers.py", "products/services.py", "products/utils.py",
    ]
    for path, text in shop.files.items():
        if path.endswith(".py"):
            ast.parse(text, filename=path)


def test_models_keep_only_the_imports_they_use(shop):
    models = shop.files["products/models.py"]
    assert "from django.db import models\n" in models
    assert "settings" not in models.split("class Category")[0]  # the FK to users is cut
    assert "Seller" not in models.split("class Category")[0]
    # Leading comments and docstrings travel with the class; the non-member stays behind.
    assert "# Products are what the shop sells.\nclass Product(models.Model):" in models
    assert "class ProductReview" not in models
    # A member referenced by string follows the new app label.
    assert 'models.ManyToManyField("products.Product", blank=True' in models
    assert "seller_id = models.BigIntegerField(db_index=True)" in models
    assert 'fields=["seller_id", "name"]' in models


def test_views_import_members_from_their_new_homes(shop):
    apis = shop.files["products/apis.py"]
    assert "from .models import Category, Product\n" in apis
    assert "from .serializers import CategorySerializer, ProductSerializer\n" in apis
    assert "from .services import reprice\n" in apis
    assert "from .utils import IsStaffOrReadOnly, int_param\n" in apis
    # ``services.reprice(...)`` through a module import becomes a direct call.
    assert "        reprice(product, product.price_cents)\n" in apis
    assert "shop." not in apis.split("# Seams left to cut")[0]
    assert "#   shop.accounts.services:loyalty_points (used by product_stats" in apis


def test_local_imports_follow_and_annotation_seams_are_postponed(shop):
    services = shop.files["products/services.py"]
    assert services.startswith('"""The products service\'s services, copied from shop by '
                               '`strangler extract`."""\n\nfrom __future__ import annotations\n')
    assert "    from .models import Product\n" in services
    assert "#   shop.accounts.models:Seller (used by seller_summary, " \
        "shop/catalog/services.py:15)" in services
    assert "from shop." not in services


def test_shared_helpers_are_carried_with_their_constants(shop):
    utils = shop.files["products/utils.py"]
    assert "MAX_PAGE = 100" in utils
    assert "# seam: copied from shop/common/utils.py:" in utils
    assert utils.index("MAX_PAGE = 100") < utils.index("def int_param")


def test_seams_name_file_line_and_kind(shop):
    found = {(s.file, s.line, s.kind, s.target) for s in shop.seams}
    assert found == {
        ("shop/catalog/models.py", 24, "fk", "Seller"),
        ("shop/catalog/models.py", 25, "fk", "settings.AUTH_USER_MODEL"),
        ("shop/catalog/models.py", 26, "m2m", '"accounts.Tag"'),
        ("shop/catalog/views.py", 33, "import", "shop.accounts.services:loyalty_points"),
        ("shop/catalog/services.py", 15, "annotation", "shop.accounts.models:Seller"),
    }
    source_lines = (SHOP / "catalog" / "models.py").read_text().splitlines()
    assert "seller = models.ForeignKey(Seller" in source_lines[23]
    assert "shop/catalog/views.py:33  import" in shop.files["SEAMS.md"]


def test_urls_keep_the_monolith_paths(shop):
    urls = shop.files["config/urls.py"]
    assert 'router_0.register("products", apis.ProductViewSet, basename="product")' in urls
    assert 'path("api/store/", include(router_0.urls)),' in urls
    assert 'path("api/store/stats/", apis.product_stats, name="product-stats"),' in urls
    assert '"products",\n]' in shop.files["config/settings.py"]


def test_a_missing_member_is_a_source_error():
    plan = ServicePlan(name="x", members=("shop.catalog.models:Nope",))
    with pytest.raises(SourceError, match="no top-level class, function or assignment named"):
        build_scaffold(SHOP, plan)


def test_monolith_catalog_carries_what_it_can_and_lists_the_rest():
    plan = ServicePlan(name="catalog", members=(
        "monolith.core.models:Genre", "monolith.core.models:Title",
        "monolith.core.views:GenreViewSet", "monolith.core.views:TitleViewSet"),
        url_prefixes=("/api/catalog/",))
    scaffold = build_scaffold(MONOLITH, plan)
    apis = scaffold.files["catalog/apis.py"]
    assert "from .services import filter_titles\n" in apis
    assert "return filter_titles(" in apis
    # Serializers of member models are carried; TitleDetailSerializer nests Season (not a
    # member), so it stays behind, and TitleViewSet's use of it (a method body) is a seam.
    assert "class GenreSerializer(serializers.ModelSerializer):" in (
        scaffold.files["catalog/serializers.py"])
    assert {(s.kind, s.target, s.line) for s in scaffold.seams} == {
        ("import", "monolith.core.serializers:TitleDetailSerializer", 141)}
    assert "TitleDetailSerializer" in (MONOLITH / "core" / "views.py").read_text().splitlines()[140]
    assert 'router_0.register("titles", apis.TitleViewSet, basename="title")' in (
        scaffold.files["config/urls.py"])
