"""Routes of the core app: /api/accounts/, /api/catalog/, /api/billing/ and the pages."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from monolith.core import pages, views

accounts_router = DefaultRouter()
accounts_router.register("profiles", views.ProfileViewSet, basename="profile")

catalog_router = DefaultRouter()
catalog_router.register("titles", views.TitleViewSet, basename="title")
catalog_router.register("genres", views.GenreViewSet, basename="genre")
catalog_router.register("seasons", views.SeasonViewSet, basename="season")
catalog_router.register("episodes", views.EpisodeViewSet, basename="episode")
catalog_router.register("people", views.PersonViewSet, basename="person")

billing_router = DefaultRouter()
billing_router.register("plans", views.PlanViewSet, basename="plan")
billing_router.register("subscriptions", views.SubscriptionViewSet, basename="subscription")
billing_router.register("invoices", views.InvoiceViewSet, basename="invoice")
billing_router.register("payments", views.PaymentViewSet, basename="payment")

urlpatterns = [
    path("api/accounts/me/", views.MeView.as_view(), name="me"),
    path("api/accounts/token/", views.LoginView.as_view(), name="token-login"),
    path("api/accounts/signup/", views.SignupView.as_view(), name="signup"),
    path("api/accounts/", include(accounts_router.urls)),
    path("api/catalog/", include(catalog_router.urls)),
    path("api/billing/", include(billing_router.urls)),
    path("browse/", pages.browse, name="browse"),
    path("titles/<int:pk>/", pages.title_page, name="title-page"),
    path("healthz", pages.healthz, name="healthz"),
]
