from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated

from monolith.core.utils import choice_param
from monolith.notifications.models import EmailMessage
from monolith.notifications.serializers import EmailMessageSerializer


class EmailMessageViewSet(viewsets.ReadOnlyModelViewSet):
    """The user's own e-mails, ``?kind=welcome|receipt|expired|digest``."""

    serializer_class = EmailMessageSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        queryset = EmailMessage.objects.filter(user=self.request.user).order_by("-created_at", "pk")
        kind = choice_param(self.request, "kind", ["welcome", "receipt", "expired", "digest"])
        return queryset.filter(kind=kind) if kind else queryset
