"""Star ratings (one per user and title) and written reviews."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from monolith.core.models import Title


class Rating(models.Model):
    """1-5 stars; saving one rewrites the title's average (ratings.signals)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="ratings")
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="ratings")
    score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "title"], name="rating_unique_user_title")
        ]


class Review(models.Model):
    """A written review, optionally tied to the author's rating."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="reviews")
    title = models.ForeignKey("core.Title", on_delete=models.CASCADE, related_name="reviews")
    rating = models.OneToOneField(
        Rating, on_delete=models.SET_NULL, null=True, blank=True, related_name="review"
    )
    headline = models.CharField(max_length=120)
    body = models.TextField()
    contains_spoilers = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "pk"]
