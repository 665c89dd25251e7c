"""Routes of the outbox API, under ``/api/outbox/``."""

from django.urls import path

from monolith.outbox import views

urlpatterns = [
    path("events/", views.OutboxEventsView.as_view(), name="outbox-events"),
    path("export/<slug:aggregate>/", views.OutboxExportView.as_view(), name="outbox-export"),
]
