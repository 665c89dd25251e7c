"""Queue the nightly "new on Reelbox" e-mail for opted-in users with a playable plan."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from monolith.core.models import Subscription, Title, User
from monolith.core.utils import make_reference
from monolith.notifications.services import queue_email
from monolith.recommendations.services import recommend_for

PICKS_PER_EMAIL = 5


class Command(BaseCommand):
    help = "Queue one digest e-mail per opted-in subscriber: new titles and personal picks."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--days", type=int, default=1, help="How far back 'new' titles go (default 1)."
        )

    def handle(self, *args, days: int = 1, **options) -> None:
        now = timezone.now()
        fresh = Title.objects.filter(is_published=True, created_at__gte=now - timedelta(days=days))
        new_titles = list(fresh.order_by("name", "pk")[:10])
        subscriber_ids = Subscription.objects.filter(
            status__in=Subscription.PLAYABLE, current_period_end__gt=now
        ).values_list("user_id", flat=True)
        users = User.objects.filter(
            pk__in=subscriber_ids, marketing_opt_in=True, is_active=True
        ).order_by("pk")
        queued = 0
        for user in users:
            picks = list(recommend_for(user)[:PICKS_PER_EMAIL])
            if not new_titles and not picks:
                continue
            lines = ["New on Reelbox:"] + [f"  {t.name} ({t.year})" for t in new_titles]
            lines += ["", "Picked for you:"] + [f"  {t.name} ({t.year})" for t in picks]
            message = queue_email(
                user.email,
                "digest",
                "Tonight on Reelbox",
                "\n".join(lines),
                user=user,
                dedupe_key=make_reference("digest", user.pk, now.date().isoformat()),
            )
            queued += message is not None
        self.stdout.write(f"queued {queued} digest e-mail(s)")
