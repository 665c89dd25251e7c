from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "monolith.notifications"
    label = "notifications"

    def ready(self) -> None:
        from monolith.notifications import receivers  # noqa: F401  (connects the receivers)
