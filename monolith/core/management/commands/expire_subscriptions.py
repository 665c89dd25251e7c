"""Expire lapsed subscriptions, end their open streams and tell the users (runs hourly)."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from monolith.core.models import Subscription
from monolith.core.signals import subscription_expired
from monolith.playback.models import ViewingSession


class Command(BaseCommand):
    help = "Mark subscriptions past their period as expired, close their streams, queue notices."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Only report what would change.")

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        now = timezone.now()
        due = (
            Subscription.objects.filter(
                status__in=Subscription.PLAYABLE, current_period_end__lte=now
            )
            .select_related("user", "plan")
            .order_by("pk")
        )
        streams = ViewingSession.objects.filter(ended_at__isnull=True)
        expired = closed = 0
        for subscription in due:
            if dry_run:
                expired += 1
                continue
            with transaction.atomic():
                subscription.status = Subscription.EXPIRED
                subscription.save(update_fields=["status"])
                # Users with another playable subscription keep their streams.
                still_playable = Subscription.objects.filter(
                    user=subscription.user,
                    status__in=Subscription.PLAYABLE,
                    current_period_end__gt=now,
                ).exists()
                if not still_playable:
                    closed += streams.filter(user=subscription.user).update(ended_at=now)
                subscription_expired.send(sender=Subscription, subscription=subscription)
            expired += 1
        verb = "would expire" if dry_run else "expired"
        self.stdout.write(f"{verb} {expired} subscription(s); closed {closed} open stream(s)")
