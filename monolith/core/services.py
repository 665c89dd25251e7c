"""Business logic for core: catalog queries and billing operations."""

from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from monolith.core.models import Invoice, Payment, Plan, Subscription, Title, User
from monolith.core.signals import payment_succeeded
from monolith.core.utils import make_reference, period_after

# --------------------------------------------------------------------------- catalog


def filter_titles(
    queryset: QuerySet[Title],
    *,
    genre: str | None = None,
    year: int | None = None,
    kind: str | None = None,
    search: str | None = None,
) -> QuerySet[Title]:
    """Apply the catalog's query-string filters; ordering stays stable (name, pk)."""
    if genre:
        queryset = queryset.filter(genres__slug=genre)
    if year is not None:
        queryset = queryset.filter(year=year)
    if kind:
        queryset = queryset.filter(kind=kind)
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(synopsis__icontains=search))
    return queryset.distinct()


# --------------------------------------------------------------------------- billing


def current_subscription(user: User) -> Subscription | None:
    """The user's newest subscription that still allows watching, if any."""
    return (
        Subscription.objects.filter(
            user=user, status__in=Subscription.PLAYABLE, current_period_end__gt=timezone.now()
        )
        .select_related("plan")
        .order_by("-current_period_end", "pk")
        .first()
    )


def next_invoice_number() -> str:
    # Numbers follow the row count, as the accounting export has expected since 2015.
    return f"INV-{Invoice.objects.count() + 1:06d}"


def issue_invoice(user: User, subscription: Subscription, plan: Plan, start: datetime) -> Invoice:
    return Invoice.objects.create(
        number=next_invoice_number(),
        user=user,
        subscription=subscription,
        amount_cents=plan.price_cents,
        currency=plan.currency,
        status=Invoice.OPEN,
        issued_at=start,
        period_start=start,
        period_end=period_after(start),
    )


@transaction.atomic
def take_payment(user: User, plan: Plan, method: str) -> Payment:
    """Charge one period of ``plan``: invoice, payment, subscription renewed, receipt signal."""
    now = timezone.now()
    subscription = current_subscription(user)
    if subscription is None or subscription.plan_id != plan.pk:
        subscription = Subscription.objects.create(
            user=user, plan=plan, status=Subscription.ACTIVE, started_at=now, current_period_end=now
        )
    start = max(subscription.current_period_end, now)
    invoice = issue_invoice(user, subscription, plan, start)
    payment = Payment.objects.create(
        invoice=invoice,
        user=user,
        amount_cents=invoice.amount_cents,
        currency=invoice.currency,
        method=method,
        status=Payment.SUCCEEDED,
        reference=make_reference("PAY", invoice.number, user.pk, now.isoformat()),
        created_at=now,
    )
    invoice.status = Invoice.PAID
    invoice.save(update_fields=["status"])
    subscription.status = Subscription.ACTIVE
    subscription.current_period_end = invoice.period_end
    subscription.save(update_fields=["status", "current_period_end"])
    payment_succeeded.send(sender=Payment, payment=payment, invoice=invoice)
    return payment


def cancel_subscription(subscription: Subscription) -> Subscription:
    """Cancel now: watching stops with it and open invoices are voided (core.signals)."""
    subscription.status = Subscription.CANCELLED
    subscription.cancelled_at = timezone.now()
    subscription.save(update_fields=["status", "cancelled_at"])
    return subscription
