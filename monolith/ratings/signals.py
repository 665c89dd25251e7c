"""Keep ``Title.average_rating`` and ``rating_count`` in step with the ratings table."""

from decimal import Decimal

from django.db.models import Avg, Count
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from monolith.core.models import Title
from monolith.ratings.models import Rating


@receiver(post_save, sender=Rating, dispatch_uid="ratings.update_title_average_on_save")
@receiver(post_delete, sender=Rating, dispatch_uid="ratings.update_title_average_on_delete")
def update_title_average(sender, instance: Rating, raw: bool = False, **kwargs) -> None:
    """Recompute the title's average and count (the catalog page and API show them)."""
    if raw:
        return
    stats = Rating.objects.filter(title_id=instance.title_id).aggregate(
        avg=Avg("score"), n=Count("pk")
    )
    average = None if stats["avg"] is None else Decimal(str(stats["avg"])).quantize(Decimal("0.01"))
    Title.objects.filter(pk=instance.title_id).update(
        average_rating=average, rating_count=stats["n"]
    )
