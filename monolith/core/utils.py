"""Helpers every app imports: pagination, permissions, query-param parsing, money, slugs."""

import hashlib
from datetime import datetime, timedelta

from django.db.models import Model
from django.utils.text import slugify
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

BILLING_PERIOD = timedelta(days=30)


class StandardPagination(PageNumberPagination):
    """``?page=`` and ``?page_size=`` (capped), the default for every API list."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class IsStaffOrReadOnly(BasePermission):
    """Anyone may read; only staff may write (the catalog's rule)."""

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


def int_param(request: Request, name: str, *, minimum: int | None = None) -> int | None:
    """Read an optional integer query parameter; a bad value is a 400 with DRF's error body."""
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: ["A valid integer is required."]}) from None
    if minimum is not None and value < minimum:
        raise ValidationError({name: [f"Ensure this value is greater than or equal to {minimum}."]})
    return value


def choice_param(request: Request, name: str, choices: list[str]) -> str | None:
    """Read an optional query parameter that must be one of ``choices``."""
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    if raw not in choices:
        raise ValidationError({name: [f'"{raw}" is not a valid choice.']})
    return raw


def unique_slug(model: type[Model], value: str, *, field: str = "slug") -> str:
    """Slugify ``value`` and add ``-2``, ``-3``... until no row of ``model`` uses it."""
    base = slugify(value)[:200] or "item"
    candidate, n = base, 1
    while model._default_manager.filter(**{field: candidate}).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def format_money(cents: int, currency: str = "USD") -> str:
    symbol = {"USD": "$", "EUR": "€", "GBP": "£"}.get(currency, currency + " ")
    return f"{symbol}{cents // 100}.{cents % 100:02d}"


def period_after(start: datetime) -> datetime:
    """End of the billing period starting at ``start``."""
    return start + BILLING_PERIOD


def make_reference(prefix: str, *parts: object) -> str:
    """A short stable reference (payments, e-mail dedupe keys) from its ingredients."""
    digest = hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:16]
    return f"{prefix}-{digest}"
