from django.urls import include, path
from rest_framework.routers import DefaultRouter

from monolith.notifications import views

router = DefaultRouter()
router.register("messages", views.EmailMessageViewSet, basename="email-message")

urlpatterns = [path("", include(router.urls))]
