"""Reelbox URL map: the API per domain, the old pages, the admin and the health check."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("monolith.core.urls")),
    path("api/playback/", include("monolith.playback.urls")),
    path("api/ratings/", include("monolith.ratings.urls")),
    path("api/recommendations/", include("monolith.recommendations.urls")),
    path("api/notifications/", include("monolith.notifications.urls")),
    path("admin/", admin.site.urls),
    path("api/outbox/", include("monolith.outbox.urls")),
]
