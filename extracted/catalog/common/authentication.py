"""DRF authentication: the caller is whoever a valid proxy signature says, else anonymous."""

from django.conf import settings
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed

from extracted.catalog.common.identity import HEADER, InvalidIdentity, parse_keys, verify


class SignedIdentityAuthentication(BaseAuthentication):
    """Trusts only ``X-Strangler-Identity`` signed with one of ``IDENTITY_KEYS``."""

    def authenticate(self, request):
        value = request.headers.get(HEADER)
        if not value:
            return None
        try:
            user = verify(value, parse_keys(settings.IDENTITY_KEYS))
        except InvalidIdentity as exc:
            # 401, never a silent downgrade: a bad header is a proxy or an attacker.
            raise AuthenticationFailed(str(exc)) from None
        return user, None

    def authenticate_header(self, request) -> str:
        # Makes an anonymous write 401 (as in the monolith) rather than 403.
        return "Identity"
