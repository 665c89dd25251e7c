from django.apps import AppConfig


class PlaybackConfig(AppConfig):
    name = "monolith.playback"
    label = "playback"
