"""Queue e-mails in the outbox and deliver them through Django's mail backend."""

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from monolith.notifications.models import EmailMessage


def queue_email(
    to_address: str, kind: str, subject: str, body: str, *, user=None, dedupe_key: str | None = None
) -> EmailMessage | None:
    """Add a message to the outbox; a known ``dedupe_key`` or a missing address queues nothing."""
    if not to_address:
        return None
    if dedupe_key and EmailMessage.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    return EmailMessage.objects.create(
        user=user,
        to_address=to_address,
        kind=kind,
        subject=subject,
        body=body,
        dedupe_key=dedupe_key,
    )


def deliver_outbox(limit: int = 100) -> int:
    """Send up to ``limit`` queued messages, oldest first; returns how many went out."""
    sent = 0
    for message in EmailMessage.objects.filter(status=EmailMessage.QUEUED).order_by(
        "created_at", "pk"
    )[:limit]:
        try:
            send_mail(
                message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.to_address]
            )
        except OSError:
            message.status = EmailMessage.FAILED
        else:
            message.status, message.sent_at = EmailMessage.SENT, timezone.now()
            sent += 1
        message.save(update_fields=["status", "sent_at"])
    return sent
