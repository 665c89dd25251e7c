"""Who may read the outbox: staff users, or the catalog service with its bearer token."""

import hmac

from django.conf import settings
from rest_framework.permissions import BasePermission


class IsStaffOrServiceToken(BasePermission):
    """``Authorization: Bearer <REELBOX_OUTBOX_TOKEN>`` or a signed-in staff user."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if user is not None and user.is_authenticated and user.is_staff:
            return True
        expected = getattr(settings, "REELBOX_OUTBOX_TOKEN", "")
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        # No token configured means no service access at all, never an empty-token match.
        return bool(
            expected
            and scheme.lower() == "bearer"
            and hmac.compare_digest(given.strip().encode(), expected.encode())
        )
