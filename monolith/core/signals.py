"""Custom signals and core's own receivers (accounts and billing, side by side).

Other apps listen here too: notifications sends a receipt on ``payment_succeeded`` and a
notice on ``subscription_expired``; playback and ratings never see these modules directly.
"""

from django.db.models.signals import post_save
from django.dispatch import Signal, receiver

from monolith.core.models import Profile, Subscription, User

# Sent by services.take_payment once the money is in: kwargs ``payment``, ``invoice``.
payment_succeeded = Signal()
# Sent by the expire_subscriptions command: kwargs ``subscription``.
subscription_expired = Signal()


@receiver(post_save, sender=User, dispatch_uid="core.create_default_profile")
def create_default_profile(
    sender, instance: User, created: bool, raw: bool = False, **kwargs
) -> None:
    """Every new account starts with one profile named after the user."""
    if created and not raw:
        Profile.objects.get_or_create(user=instance, name=instance.first_name or instance.username)


@receiver(post_save, sender=Subscription, dispatch_uid="core.void_invoices_on_cancel")
def void_invoices_on_cancel(sender, instance: Subscription, raw: bool = False, **kwargs) -> None:
    """A cancelled subscription leaves no open invoice behind."""
    if not raw and instance.status == Subscription.CANCELLED:
        instance.invoices.filter(status="open").update(status="void")
