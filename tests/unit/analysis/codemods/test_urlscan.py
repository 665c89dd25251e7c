from analysis.codemods.sources import SourceTree
from analysis.codemods.urlscan import PathRoute, RouterRoute, scan_routes
from tests.unit.analysis.codemods.helpers import MONOLITH, SHOP


def test_routes_through_includes_and_routers():
    routers, paths = scan_routes(SourceTree(SHOP))
    assert routers == [
        RouterRoute("api/store/", "products", "shop.catalog.views:ProductViewSet", "product"),
        RouterRoute("api/store/", "categories", "shop.catalog.views:CategoryViewSet", "category"),
    ]
    assert paths == [PathRoute("api/store/stats/", "shop.catalog.views:product_stats",
                               "product-stats", as_view=False, regex=False)]


def test_monolith_catalog_router():
    routers, paths = scan_routes(SourceTree(MONOLITH))
    catalog = [(r.register, r.view) for r in routers if r.prefix == "api/catalog/"]
    assert catalog[0] == ("titles", "monolith.core.views:TitleViewSet")
    assert len(catalog) == 5
    assert PathRoute("api/accounts/me/", "monolith.core.views:MeView", "me", True, False) in paths
