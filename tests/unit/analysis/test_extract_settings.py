from analysis.facts import ClassBodyFact, SettingsFact
from tests.unit.analysis.helpers import facts_of


def test_literal_installed_apps() -> None:
    facts = facts_of(
        """
        INSTALLED_APPS = ["django.contrib.auth", "app.core"]
        AUTH_USER_MODEL = "core.User"
        ROOT_URLCONF = "app.urls"
        """
    )
    assert facts.settings == (
        SettingsFact(1, ("django.contrib.auth", "app.core"), False, "core.User", "app.urls"),
    )


def test_computed_installed_apps_are_marked_and_read_best_effort() -> None:
    facts = facts_of(
        """
        BASE = ["django.contrib.auth"]
        LOCAL = ("app.core",)
        INSTALLED_APPS = BASE + list(LOCAL)
        INSTALLED_APPS += ["app.extra"]
        if DEBUG:
            INSTALLED_APPS.append("debug_toolbar")
        """
    )
    (settings,) = facts.settings
    assert settings.computed
    assert settings.line == 3
    assert settings.apps == ("django.contrib.auth", "app.core", "app.extra", "debug_toolbar")


def test_app_config_name_and_label() -> None:
    facts = facts_of(
        """
        from django.apps import AppConfig

        class OrdersConfig(AppConfig):
            name = "shop.orders"
            label = "sales"
        """
    )
    configs = [b for b in facts.class_bodies if b.attr in {"name", "label"}]
    assert configs == [
        ClassBodyFact("OrdersConfig", "name", "shop.orders", 4, literal=True),
        ClassBodyFact("OrdersConfig", "label", "sales", 5, literal=True),
    ]
