from django.contrib import admin

from monolith.recommendations.models import TasteProfile


@admin.register(TasteProfile)
class TasteProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "updated_at"]
    filter_horizontal = ["favourite_genres"]
