from rest_framework import serializers

from monolith.notifications.models import EmailMessage


class EmailMessageSerializer(serializers.ModelSerializer):
    """A message of the user's outbox."""

    class Meta:
        model = EmailMessage
        fields = ["id", "kind", "to_address", "subject", "body", "status", "created_at", "sent_at"]
