from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "monolith.ratings"
    label = "ratings"

    def ready(self) -> None:
        from monolith.ratings import signals  # noqa: F401  (connects the receivers)
