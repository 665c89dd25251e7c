from django.urls import include, path
from rest_framework.routers import DefaultRouter

from monolith.playback import views

router = DefaultRouter()
router.register("sessions", views.ViewingSessionViewSet, basename="viewing-session")
router.register("positions", views.PlaybackPositionViewSet, basename="playback-position")

urlpatterns = [
    path("continue-watching/", views.ContinueWatchingView.as_view(), name="continue-watching"),
    path("", include(router.urls)),
]
