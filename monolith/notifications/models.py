from django.conf import settings
from django.db import models
from django.utils import timezone


class EmailMessage(models.Model):
    """The outbox: rows are queued in the request's transaction and delivered later."""

    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    STATUS_CHOICES = [(QUEUED, "Queued"), (SENT, "Sent"), (FAILED, "Failed")]

    # No related_name: legacy code reaches the outbox as user.emailmessage_set.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True)
    to_address = models.EmailField()
    kind = models.CharField(max_length=30)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default=QUEUED)
    dedupe_key = models.CharField(max_length=80, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "pk"]
