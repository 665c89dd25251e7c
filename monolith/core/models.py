"""Reelbox's original models: accounts, catalog and billing, all in one module (since 2014)."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

# --------------------------------------------------------------------------- accounts


class User(AbstractUser):
    """The site-wide account; AUTH_USER_MODEL. One user pays, several profiles watch."""

    email = models.EmailField(blank=True)
    country = models.CharField(max_length=2, default="US")
    marketing_opt_in = models.BooleanField(default=False)

    class Meta:
        ordering = ["username", "pk"]


class Profile(models.Model):
    """A viewer inside an account (the kids' profile, the partner's profile...)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="profiles")
    name = models.CharField(max_length=60)
    is_kids = models.BooleanField(default=False)
    avatar_color = models.CharField(max_length=7, default="#e50914")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["user_id", "name", "pk"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="profile_unique_name")]

    def __str__(self) -> str:
        return f"{self.user_id}/{self.name}"


# --------------------------------------------------------------------------- catalog


class Genre(models.Model):
    """A catalog genre; titles carry one to three."""

    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Title(models.Model):
    """A movie or a series. ``average_rating`` is written by the ratings app's signal."""

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
    # Premium titles need a plan of at least this tier (billing leaks into the catalog).
    min_plan_tier = models.PositiveSmallIntegerField(default=1)
    average_rating = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    rating_count = models.PositiveIntegerField(default=0)
    is_published = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"


class Season(models.Model):
    """A numbered season of a series."""

    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="seasons")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["title_id", "number", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["title", "number"], name="season_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.title_id} S{self.number}"


class Episode(models.Model):
    """A numbered episode of a season."""

    season = models.ForeignKey(Season, on_delete=models.CASCADE, related_name="episodes")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    runtime_minutes = models.PositiveIntegerField(default=45)

    class Meta:
        ordering = ["season_id", "number", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["season", "number"], name="episode_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.season} E{self.number}"


class Person(models.Model):
    """Cast or crew, credited on titles."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.name


class Credit(models.Model):
    """A person's role on a title, in billing order."""

    ROLE_CHOICES = [("actor", "Actor"), ("director", "Director"), ("writer", "Writer")]

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="credits")
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="credits")
    role = models.CharField(max_length=10, choices=ROLE_CHOICES)
    character = models.CharField(max_length=120, blank=True)
    billing_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["title_id", "billing_order", "pk"]


# --------------------------------------------------------------------------- billing


class Plan(models.Model):
    """A price plan; ``tier`` gates premium titles, ``max_streams`` concurrent playback."""

    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=60)
    tier = models.PositiveSmallIntegerField(default=1)
    price_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3, default="USD")
    max_streams = models.PositiveSmallIntegerField(default=1)
    trial_days = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["tier", "price_cents", "pk"]

    def __str__(self) -> str:
        return self.name


class Subscription(models.Model):
    """A user's plan for a period; playable while active/trialing and not past its end."""

    ACTIVE = "active"
    TRIALING = "trialing"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    STATUS_CHOICES = [
        (ACTIVE, "Active"),
        (TRIALING, "Trialing"),
        (CANCELLED, "Cancelled"),
        (EXPIRED, "Expired"),
    ]
    PLAYABLE = (ACTIVE, TRIALING)

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="subscriptions")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default=ACTIVE)
    started_at = models.DateTimeField(default=timezone.now)
    current_period_end = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user_id", "-started_at", "pk"]

    def is_playable(self, at=None) -> bool:
        return self.status in self.PLAYABLE and self.current_period_end > (at or timezone.now())


class Invoice(models.Model):
    """One billing period's charge; numbered from the row count (see services)."""

    OPEN = "open"
    PAID = "paid"
    VOID = "void"
    STATUS_CHOICES = [(OPEN, "Open"), (PAID, "Paid"), (VOID, "Void")]

    number = models.CharField(max_length=20, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invoices")
    subscription = models.ForeignKey(
        Subscription, on_delete=models.SET_NULL, null=True, related_name="invoices"
    )
    amount_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3, default="USD")
    status = models.CharField(max_length=5, choices=STATUS_CHOICES, default=OPEN)
    issued_at = models.DateTimeField(default=timezone.now)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()

    class Meta:
        ordering = ["-issued_at", "pk"]


class Payment(models.Model):
    """Money received against an invoice."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    METHOD_CHOICES = [("card", "Card"), ("paypal", "PayPal")]

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="payments")
    amount_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3, default="USD")
    method = models.CharField(max_length=10, choices=METHOD_CHOICES, default="card")
    status = models.CharField(max_length=10, default=SUCCEEDED)
    reference = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "pk"]
