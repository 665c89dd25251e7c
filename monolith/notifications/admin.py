from django.contrib import admin

from monolith.notifications.models import EmailMessage


@admin.register(EmailMessage)
class EmailMessageAdmin(admin.ModelAdmin):
    list_display = ["to_address", "kind", "subject", "status", "created_at", "sent_at"]
    list_filter = ["kind", "status"]
