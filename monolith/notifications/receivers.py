"""E-mails triggered by other apps' signals: accounts (sign-up) and billing (payments, expiry)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from monolith.core.models import Invoice, Payment, Subscription, User
from monolith.core.signals import payment_succeeded, subscription_expired
from monolith.core.utils import format_money, make_reference
from monolith.notifications.services import queue_email


@receiver(post_save, sender=User, dispatch_uid="notifications.send_welcome_email")
def send_welcome_email(sender, instance: User, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        queue_email(
            instance.email,
            "welcome",
            "Welcome to Reelbox",
            f"Hi {instance.first_name or instance.username}, your account is ready. Enjoy!",
            user=instance,
            dedupe_key=make_reference("welcome", instance.pk),
        )


@receiver(payment_succeeded, dispatch_uid="notifications.send_payment_receipt")
def send_payment_receipt(sender, payment: Payment, invoice: Invoice, **kwargs) -> None:
    user = payment.user
    queue_email(
        user.email,
        "receipt",
        f"Your Reelbox receipt {invoice.number}",
        f"We received {format_money(payment.amount_cents, payment.currency)} by {payment.method} "
        f"for {invoice.period_start:%Y-%m-%d} to {invoice.period_end:%Y-%m-%d}. "
        f"Reference {payment.reference}.",
        user=user,
        dedupe_key=make_reference("receipt", payment.reference),
    )


@receiver(subscription_expired, dispatch_uid="notifications.send_expiry_notice")
def send_expiry_notice(sender, subscription: Subscription, **kwargs) -> None:
    queue_email(
        subscription.user.email,
        "expired",
        "Your Reelbox subscription has ended",
        f"Your {subscription.plan.name} plan ended on {subscription.current_period_end:%Y-%m-%d}. "
        "Renew any time to keep watching.",
        user=subscription.user,
        dedupe_key=make_reference(
            "expired", subscription.pk, subscription.current_period_end.isoformat()
        ),
    )
