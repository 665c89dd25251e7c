from analysis.facts import UrlFact
from tests.unit.analysis.helpers import facts_of


def test_paths_includes_and_router_registrations() -> None:
    facts = facts_of(
        """
        from django.urls import include, path, re_path
        from rest_framework.routers import DefaultRouter
        from app import views

        router = DefaultRouter()
        router.register(r"titles", views.TitleViewSet, basename="title")

        urlpatterns = [
            path("", views.home, name="home"),
            re_path(r"^old/(?P<pk>\\d+)/$", views.Old.as_view()),
            path("api/", include(router.urls)),
            path("accounts/", include("app.accounts.urls")),
            path("inline/", include([path("a/", views.a), path("b/", views.b)])),
        ]
        """
    )
    assert facts.urls == (
        UrlFact("register", "titles", "views.TitleViewSet", False, 6, "router"),
        UrlFact("path", "", "views.home", False, 9, "urlpatterns", "home"),
        UrlFact("re_path", r"^old/(?P<pk>\d+)/$", "views.Old", False, 10, "urlpatterns"),
        UrlFact("include", "api/", "router.urls", False, 11, "urlpatterns"),
        UrlFact("include", "accounts/", "app.accounts.urls", True, 12, "urlpatterns"),
        UrlFact("path", "inline/a/", "views.a", False, 13, "urlpatterns"),
        UrlFact("path", "inline/b/", "views.b", False, 13, "urlpatterns"),
    )
