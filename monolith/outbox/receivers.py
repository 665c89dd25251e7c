"""Write an outbox row in the same transaction as each catalog change.

The row is written inside the receiver, not in ``transaction.on_commit``: it commits or rolls
back together with the change it describes. (Within ``ATOMIC_REQUESTS`` or any atomic block;
a bare autocommit ``save()`` commits the row and its event as two statements, see the docs.)
Ratings change a title's average through ``QuerySet.update`` (no ``post_save``), so a rating
change re-emits its title.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from monolith.core.models import Title
from monolith.outbox.models import OutboxEvent
from monolith.outbox.snapshots import AGGREGATE_OF_MODEL, snapshot
from monolith.ratings.models import Rating


def record_upsert(aggregate: str, instance) -> OutboxEvent:
    return OutboxEvent.objects.create(
        aggregate=aggregate,
        aggregate_id=instance.pk,
        op=OutboxEvent.UPSERT,
        payload=snapshot(aggregate, instance),
    )


@receiver(post_save, dispatch_uid="outbox.catalog_saved")
def catalog_saved(sender, instance, raw: bool = False, **kwargs) -> None:
    """Any catalog row saved (fixtures loaded with ``raw`` too: they change the catalog)."""
    aggregate = AGGREGATE_OF_MODEL.get(sender)
    if aggregate is not None:
        record_upsert(aggregate, instance)


@receiver(post_delete, dispatch_uid="outbox.catalog_deleted")
def catalog_deleted(sender, instance, **kwargs) -> None:
    aggregate = AGGREGATE_OF_MODEL.get(sender)
    if aggregate is not None:
        OutboxEvent.objects.create(
            aggregate=aggregate,
            aggregate_id=instance.pk,
            op=OutboxEvent.DELETE,
            payload={"id": instance.pk},
        )


@receiver(m2m_changed, sender=Title.genres.through, dispatch_uid="outbox.title_genres_changed")
def title_genres_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    """A title's genres live in the snapshot: re-emit every title whose set changed."""
    if reverse and action == "pre_clear":
        # genre.titles.clear() names no titles afterwards: remember them now.
        instance._outbox_cleared_titles = list(instance.titles.values_list("pk", flat=True))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        record_upsert("title", instance)
        return
    if action == "post_clear":
        pk_set = getattr(instance, "_outbox_cleared_titles", [])
    for title in Title.objects.filter(pk__in=pk_set or ()):
        record_upsert("title", title)


@receiver(post_save, sender=Rating, dispatch_uid="outbox.rating_saved")
@receiver(post_delete, sender=Rating, dispatch_uid="outbox.rating_deleted")
def rating_changed(sender, instance: Rating, raw: bool = False, **kwargs) -> None:
    """The title's ``average_rating``/``rating_count`` copy changed with this rating."""
    if raw:
        return
    title = Title.objects.filter(pk=instance.title_id).first()
    if title is not None:
        record_upsert("title", title)
