from django.conf import settings
from django.db import models
from django.utils import timezone


class TasteProfile(models.Model):
    """Genres a user told us they like (onboarding); the recommender starts from these."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="taste")
    favourite_genres = models.ManyToManyField("core.Genre", blank=True, related_name="fans")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["user_id", "pk"]
