"""The service's URL map: exactly the monolith's ``/api/catalog/`` paths, plus a health check."""

from django.http import JsonResponse
from django.urls import include, path


def healthz(request):
    return JsonResponse({"status": "ok", "service": "catalog"})


urlpatterns = [
    path("api/catalog/", include("extracted.catalog.titles.urls")),
    path("healthz", healthz, name="healthz"),
]
