"""One row per change of a catalog row, in commit order (``sequence``)."""

from django.db import models
from django.utils import timezone


class OutboxEvent(models.Model):
    """``op`` "upsert" carries the row's full state in ``payload``; "delete" carries its id."""

    UPSERT = "upsert"
    DELETE = "delete"
    OP_CHOICES = [(UPSERT, "Upsert"), (DELETE, "Delete")]

    # The primary key is the sequence: monotonic, and what readers page on.
    sequence = models.BigAutoField(primary_key=True)
    aggregate = models.CharField(max_length=20)
    aggregate_id = models.BigIntegerField()
    op = models.CharField(max_length=6, choices=OP_CHOICES)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["sequence"]
        indexes = [models.Index(fields=["aggregate", "aggregate_id"], name="outbox_aggregate")]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.op} {self.aggregate}:{self.aggregate_id}"
