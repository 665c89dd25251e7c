"""The catalog's tables, owned by this service. Primary keys are the monolith's, kept by sync.

Copied columns (written by other domains in the monolith, kept here by sync, read-only in the
API): ``Title.average_rating`` and ``Title.rating_count`` (ratings domain).
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone


class Genre(models.Model):
    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Title(models.Model):
    """A movie or a series."""

    MOVIE = "movie"
    SERIES = "series"
    KIND_CHOICES = [(MOVIE, "Movie"), (SERIES, "Series")]
    MATURITY_CHOICES = [("G", "G"), ("PG", "PG"), ("PG-13", "PG-13"), ("R", "R")]

    kind = models.CharField(max_length=10, choices=KIND_CHOICES, default=MOVIE)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    year = models.PositiveIntegerField(
        validators=[MinValueValidator(1888), MaxValueValidator(2100)]
    )
    synopsis = models.TextField(blank=True)
    maturity_rating = models.CharField(max_length=5, choices=MATURITY_CHOICES, default="PG-13")
    runtime_minutes = models.PositiveIntegerField(null=True, blank=True)
    genres = models.ManyToManyField(Genre, related_name="titles", blank=True)
    min_plan_tier = models.PositiveSmallIntegerField(default=1)
    # Copied from the ratings domain by sync (the monolith's ratings signal writes them there).
    average_rating = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    rating_count = models.PositiveIntegerField(default=0)
    is_published = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"


class Season(models.Model):
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="seasons")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["title_id", "number", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["title", "number"], name="season_unique_number")
        ]


class Episode(models.Model):
    season = models.ForeignKey(Season, on_delete=models.CASCADE, related_name="episodes")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    runtime_minutes = models.PositiveIntegerField(default=45)

    class Meta:
        ordering = ["season_id", "number", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["season", "number"], name="episode_unique_number")
        ]


class Person(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.name


class Credit(models.Model):
    ROLE_CHOICES = [("actor", "Actor"), ("director", "Director"), ("writer", "Writer")]

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="credits")
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="credits")
    role = models.CharField(max_length=10, choices=ROLE_CHOICES)
    character = models.CharField(max_length=120, blank=True)
    billing_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["title_id", "billing_order", "pk"]
