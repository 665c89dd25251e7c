from rest_framework import serializers

from monolith.core.models import Title
from monolith.core.serializers import TitleListSerializer
from monolith.ratings.models import Rating, Review


class RatingSerializer(serializers.ModelSerializer):
    """The user's rating of one title."""

    title = serializers.PrimaryKeyRelatedField(queryset=Title.objects.filter(is_published=True))

    class Meta:
        model = Rating
        fields = ["id", "title", "score", "created_at"]
        read_only_fields = ["created_at"]
        validators = []  # (user, title) is unique: the view turns a second rating into an update

    def validate_title(self, title: Title) -> Title:
        if self.instance is not None and title.pk != self.instance.title_id:
            raise serializers.ValidationError("A rating cannot move to another title.")
        return title


class ReviewSerializer(serializers.ModelSerializer):
    """A review with the catalog's title nested."""

    title = serializers.PrimaryKeyRelatedField(
        queryset=Title.objects.filter(is_published=True), write_only=True
    )
    title_detail = TitleListSerializer(source="title", read_only=True)
    author = serializers.CharField(source="user.username", read_only=True)
    score = serializers.IntegerField(source="rating.score", read_only=True, allow_null=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "title",
            "title_detail",
            "author",
            "score",
            "headline",
            "body",
            "contains_spoilers",
            "created_at",
        ]
        read_only_fields = ["created_at"]
