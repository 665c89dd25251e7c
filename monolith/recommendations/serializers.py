from rest_framework import serializers

from monolith.core.models import Genre
from monolith.recommendations.models import TasteProfile


class TasteProfileSerializer(serializers.ModelSerializer):
    favourite_genres = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Genre.objects.all()
    )

    class Meta:
        model = TasteProfile
        fields = ["favourite_genres", "updated_at"]
        read_only_fields = ["updated_at"]
