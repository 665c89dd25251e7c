"""Recommendations for the signed-in user, similar titles, and the taste profile."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from rest_framework import generics
from rest_framework.permissions import AllowAny, IsAuthenticated

from monolith.core.models import Title
from monolith.core.serializers import TitleListSerializer
from monolith.recommendations import services
from monolith.recommendations.models import TasteProfile
from monolith.recommendations.serializers import TasteProfileSerializer


class ForYouView(generics.ListAPIView):
    serializer_class = TitleListSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return services.recommend_for(self.request.user).prefetch_related("genres")


class SimilarTitlesView(generics.ListAPIView):
    """Not personal, so public like the catalog."""

    serializer_class = TitleListSerializer
    permission_classes = [AllowAny]

    def get_queryset(self):
        title = get_object_or_404(Title, pk=self.kwargs["pk"], is_published=True)
        return services.similar_titles(title).prefetch_related("genres")


class TasteProfileView(generics.RetrieveUpdateAPIView):
    serializer_class = TasteProfileSerializer
    permission_classes = [IsAuthenticated]

    def get_object(self) -> TasteProfile:
        taste, _ = TasteProfile.objects.get_or_create(user=self.request.user)
        return taste

    def perform_update(self, serializer) -> None:
        serializer.save(updated_at=timezone.now())
