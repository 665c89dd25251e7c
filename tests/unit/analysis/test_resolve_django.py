from analysis.resolve.django import build_django_index
from analysis.resolve.names import NameIndex

from tests.unit.analysis.helpers import facts_of


def _index(sources: dict[str, str], packages: set[str]):  # type: ignore[no-untyped-def]
    facts = {
        name: facts_of(text, name, is_package=name in packages) for name, text in sources.items()
    }
    return build_django_index(facts, NameIndex(facts), "shop")


def test_app_configs_are_found_through_project_base_classes() -> None:
    django = _index(
        {
            "shop": "",
            "shop.core": "",
            "shop.core.config": (
                "from django.apps import AppConfig\nclass ShopConfig(AppConfig):\n    pass\n"
            ),
            "shop.orders": "",
            "shop.orders.apps": (
                "from shop.core.config import ShopConfig\n"
                "class OrdersConfig(ShopConfig):\n"
                '    name = "shop.orders"\n'
                '    label = "sales"\n'
            ),
            "shop.orders.models": (
                "from django.db import models\n"
                "class Base(models.Model):\n"
                "    class Meta:\n"
                "        abstract = True\n"
                "class Order(Base):\n"
                "    pass\n"
            ),
            "shop.settings": 'INSTALLED_APPS = ["shop.orders.apps.OrdersConfig"]\n',
        },
        {"shop", "shop.core", "shop.orders"},
    )
    assert django.apps["shop.orders"].label == "sales"
    assert django.apps["shop.orders"].installed
    assert "shop.orders.apps:OrdersConfig" in django.app_configs
    assert django.app_of("shop.orders.models", "shop") == "sales"
    assert django.app_of("shop.settings", "shop") == "shop"
    assert django.models == {
        "shop.orders.models:Base": "sales.Base",
        "shop.orders.models:Order": "sales.Order",
    }
    assert django.abstract == {"shop.orders.models:Base"}
    assert django.model_by_label("sales.Order", "") == "shop.orders.models:Order"
    assert django.model_by_label("Order", "sales") == "shop.orders.models:Order"
