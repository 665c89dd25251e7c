from django.db import models


class Checkpoint(models.Model):
    """Where a copy stands, committed with the rows it covers (so a crash loses nothing).

    ``backfill``: ``{"mark", "aggregate", "after_id", "finished"}``; ``sync``: ``{"sequence"}``.
    """

    name = models.CharField(max_length=30, primary_key=True)
    position = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name}: {self.position}"
