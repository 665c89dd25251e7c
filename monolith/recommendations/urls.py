from django.urls import path

from monolith.recommendations import views

urlpatterns = [
    path("for-you/", views.ForYouView.as_view(), name="for-you"),
    path("similar/<int:pk>/", views.SimilarTitlesView.as_view(), name="similar-titles"),
    path("taste/", views.TasteProfileView.as_view(), name="taste-profile"),
]
