"""Playback API: sessions, positions and the continue-watching row."""

from django.db.models import F
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from monolith.core.utils import int_param
from monolith.playback import services
from monolith.playback.models import PlaybackPosition, ViewingSession
from monolith.playback.serializers import (
    PlaybackPositionSerializer,
    StartSessionSerializer,
    StopSessionSerializer,
    ViewingSessionSerializer,
)


class ViewingSessionViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """POST starts a stream (subscription checked); ``?open=1`` lists unfinished ones."""

    permission_classes = [IsAuthenticated]
    serializer_class = ViewingSessionSerializer

    def get_queryset(self):
        queryset = (
            ViewingSession.objects.filter(user=self.request.user)
            .select_related("title", "episode")
            .prefetch_related("title__genres")
            .order_by("-started_at", "pk")
        )
        if int_param(self.request, "open"):
            queryset = queryset.filter(ended_at__isnull=True)
        return queryset

    def create(self, request, *args, **kwargs):
        serializer = StartSessionSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        session = services.start_session(
            request.user, data["profile"], data["title"], data.get("episode"), data["device"]
        )
        return Response(ViewingSessionSerializer(session).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def stop(self, request, pk=None):
        session = self.get_object()
        if not session.is_open:
            return Response(
                {"detail": "This session has already ended."}, status=status.HTTP_400_BAD_REQUEST
            )
        serializer = StopSessionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = services.stop_session(session, serializer.validated_data["position_seconds"])
        return Response(ViewingSessionSerializer(session).data)


class PlaybackPositionViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """POST upserts the position of (profile, title); ``?profile=<id>`` filters."""

    permission_classes = [IsAuthenticated]
    serializer_class = PlaybackPositionSerializer

    def get_queryset(self):
        queryset = (
            PlaybackPosition.objects.filter(profile__user=self.request.user)
            .select_related("title")
            .prefetch_related("title__genres")
            .order_by("-updated_at", "pk")
        )
        profile = int_param(self.request, "profile")
        return queryset if profile is None else queryset.filter(profile_id=profile)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        position = services.record_position(
            data["profile"], data["title"], data.get("episode"), data["position_seconds"]
        )
        return Response(self.get_serializer(position).data, status=status.HTTP_201_CREATED)


class ContinueWatchingView(ListAPIView):
    """Unfinished titles for one profile (``?profile=<id>``, default: all of the user's)."""

    permission_classes = [IsAuthenticated]
    serializer_class = PlaybackPositionSerializer

    def get_queryset(self):
        queryset = (
            PlaybackPosition.objects.filter(profile__user=self.request.user, position_seconds__gt=0)
            .filter(position_seconds__lt=F("duration_seconds") * 0.95)  # same rule as .finished
            .select_related("title")
            .prefetch_related("title__genres")
            .order_by("-updated_at", "pk")
        )
        profile = int_param(self.request, "profile")
        return queryset if profile is None else queryset.filter(profile_id=profile)
