from django.contrib import admin

from monolith.playback.models import PlaybackPosition, ViewingSession


@admin.register(ViewingSession)
class ViewingSessionAdmin(admin.ModelAdmin):
    list_display = ["user", "profile", "title", "device", "started_at", "ended_at"]
    list_select_related = ["user", "profile", "title"]


@admin.register(PlaybackPosition)
class PlaybackPositionAdmin(admin.ModelAdmin):
    list_display = ["profile", "title", "position_seconds", "duration_seconds", "updated_at"]
