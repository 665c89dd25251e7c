"""The monolith's catalog serializers, field for field (names, order, nesting, read-only-ness)."""

from rest_framework import serializers

from extracted.catalog.titles.models import Credit, Episode, Genre, Person, Season, Title


class GenreSerializer(serializers.ModelSerializer):
    class Meta:
        model = Genre
        fields = ["id", "name", "slug"]


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "name", "slug"]


class CreditSerializer(serializers.ModelSerializer):
    person = PersonSerializer(read_only=True)

    class Meta:
        model = Credit
        fields = ["id", "person", "role", "character", "billing_order"]


class EpisodeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Episode
        fields = ["id", "season", "number", "name", "runtime_minutes"]


class SeasonSerializer(serializers.ModelSerializer):
    episode_count = serializers.IntegerField(source="episodes.count", read_only=True)

    class Meta:
        model = Season
        fields = ["id", "title", "number", "name", "episode_count"]


class TitleListSerializer(serializers.ModelSerializer):
    """A title in lists."""

    genres = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Genre.objects.all(), required=False
    )

    class Meta:
        model = Title
        fields = [
            "id",
            "kind",
            "name",
            "slug",
            "year",
            "maturity_rating",
            "runtime_minutes",
            "genres",
            "min_plan_tier",
            "average_rating",
            "rating_count",
        ]
        # average_rating/rating_count are copies of the ratings domain's figures.
        read_only_fields = ["slug", "average_rating", "rating_count"]


class TitleDetailSerializer(TitleListSerializer):
    """A title with its seasons and credits."""

    seasons = SeasonSerializer(many=True, read_only=True)
    credits = CreditSerializer(many=True, read_only=True)

    class Meta(TitleListSerializer.Meta):
        fields = TitleListSerializer.Meta.fields + ["synopsis", "seasons", "credits"]
