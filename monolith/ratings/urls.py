from django.urls import include, path
from rest_framework.routers import DefaultRouter

from monolith.ratings import views

router = DefaultRouter()
router.register("ratings", views.RatingViewSet, basename="rating")
router.register("reviews", views.ReviewViewSet, basename="review")

urlpatterns = [path("", include(router.urls))]
