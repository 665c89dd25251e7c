"""Who watched what, on which device, and where they stopped."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from monolith.core.models import Episode, Profile


class ViewingSession(models.Model):
    """One stream: opened by playback start, closed by stop or by expiry."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="sessions")
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="viewing_sessions")
    title = models.ForeignKey("core.Title", models.CASCADE, related_name="viewing_sessions")
    episode = models.ForeignKey(Episode, on_delete=models.SET_NULL, null=True, blank=True)
    device = models.CharField(max_length=40, default="web")
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    position_seconds = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "pk"]

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class PlaybackPosition(models.Model):
    """Continue-watching: the last position per profile and title."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="positions")
    title = models.ForeignKey("core.Title", on_delete=models.CASCADE, related_name="positions")
    episode = models.ForeignKey("core.Episode", on_delete=models.SET_NULL, null=True, blank=True)
    position_seconds = models.PositiveIntegerField(default=0)
    duration_seconds = models.PositiveIntegerField()
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "title"], name="position_unique_profile_title"
            )
        ]

    @property
    def finished(self) -> bool:
        # The credits roll in the last 5% of a title; nobody "continues" those.
        return self.position_seconds >= self.duration_seconds * 0.95
