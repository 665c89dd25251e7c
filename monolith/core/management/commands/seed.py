"""``manage.py seed --size small|medium|large``: replace all Reelbox data with the seed set."""

from django.contrib.admin.models import LogEntry
from django.contrib.sessions.models import Session
from django.core.management.base import BaseCommand
from django.core.management.color import no_style
from django.db import connection, transaction
from rest_framework.authtoken.models import Token

from monolith.core import seeding
from monolith.core.models import (
    Credit,
    Episode,
    Genre,
    Invoice,
    Payment,
    Person,
    Plan,
    Profile,
    Season,
    Subscription,
    Title,
    User,
)
from monolith.notifications.models import EmailMessage
from monolith.playback.models import PlaybackPosition, ViewingSession
from monolith.ratings.models import Rating, Review
from monolith.recommendations.models import TasteProfile

# Children before parents, so plain DELETEs never trip a foreign key.
WIPE_ORDER = [
    EmailMessage,
    TasteProfile.favourite_genres.through,
    TasteProfile,
    Review,
    Rating,
    PlaybackPosition,
    ViewingSession,
    Payment,
    Invoice,
    Subscription,
    Plan,
    Credit,
    Episode,
    Season,
    Title.genres.through,
    Title,
    Person,
    Genre,
    Token,
    Session,
    LogEntry,
    Profile,
    User.groups.through,
    User.user_permissions.through,
    User,
]
INSERT_ORDER = [
    Plan,
    Genre,
    Person,
    Title,
    Title.genres.through,
    Season,
    Episode,
    Credit,
    User,
    Profile,
    Subscription,
    Invoice,
    Payment,
    Rating,
    Review,
    ViewingSession,
    PlaybackPosition,
    TasteProfile,
    TasteProfile.favourite_genres.through,
]


class Command(BaseCommand):
    help = "Wipe every Reelbox table and insert deterministic demo data (same size, same rows)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--size", choices=sorted(seeding.SIZES), default="small")

    def handle(self, *args, size: str = "small", **options) -> None:
        data = seeding.build(size)
        with transaction.atomic():
            with connection.cursor() as cursor:
                # Raw DELETEs send no per-row signals (ratings would recompute doomed averages).
                for model in WIPE_ORDER:
                    cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
            for model in INSERT_ORDER:
                rows = data.rows.get(model) or data.m2m.get(model) or []
                model.objects.bulk_create(rows, batch_size=500)
            # Explicit primary keys leave PostgreSQL sequences behind; SQLite needs nothing.
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), INSERT_ORDER):
                    cursor.execute(statement)
        counts = ", ".join(
            f"{data.count(m)} {m._meta.verbose_name_plural}"
            for m in (User, Title, Rating, ViewingSession)
        )
        self.stdout.write(f"Seeded '{size}': {counts}.")
        self.stdout.write(
            f"Demo login (demo data only): {seeding.DEMO_USERNAME} / {seeding.DEMO_PASSWORD}; "
            f"admin: {seeding.STAFF_USERNAME} / {seeding.DEMO_PASSWORD} at /admin/"
        )
