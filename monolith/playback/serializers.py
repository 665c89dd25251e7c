from rest_framework import serializers

from monolith.core.models import Episode, Profile, Title
from monolith.core.serializers import EpisodeSerializer, TitleListSerializer
from monolith.playback.models import PlaybackPosition, ViewingSession


class _OwnProfileField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Profile.objects.filter(user=self.context["request"].user)


class StartSessionSerializer(serializers.Serializer):
    """Input of ``POST /api/playback/sessions/``."""

    profile = _OwnProfileField()
    title = serializers.PrimaryKeyRelatedField(queryset=Title.objects.filter(is_published=True))
    episode = serializers.PrimaryKeyRelatedField(
        queryset=Episode.objects.all(), required=False, allow_null=True
    )
    device = serializers.CharField(max_length=40, default="web")

    def validate(self, attrs: dict) -> dict:
        episode = attrs.get("episode")
        if episode is not None and episode.season.title_id != attrs["title"].pk:
            raise serializers.ValidationError(
                {"episode": ["This episode does not belong to the title."]}
            )
        return attrs


class StopSessionSerializer(serializers.Serializer):
    position_seconds = serializers.IntegerField(min_value=0)


class ViewingSessionSerializer(serializers.ModelSerializer):
    """A session with the catalog's title and episode nested."""

    title = TitleListSerializer(read_only=True)
    episode = EpisodeSerializer(read_only=True)

    class Meta:
        model = ViewingSession
        fields = [
            "id",
            "profile",
            "title",
            "episode",
            "device",
            "started_at",
            "ended_at",
            "position_seconds",
        ]


class PlaybackPositionSerializer(serializers.ModelSerializer):
    profile = _OwnProfileField()
    title_detail = TitleListSerializer(source="title", read_only=True)
    finished = serializers.BooleanField(read_only=True)

    class Meta:
        model = PlaybackPosition
        fields = [
            "id",
            "profile",
            "title",
            "title_detail",
            "episode",
            "position_seconds",
            "duration_seconds",
            "finished",
            "updated_at",
        ]
        read_only_fields = ["duration_seconds", "updated_at"]
        # The view upserts the (profile, title) row, so no unique-together check here.
        validators = []
