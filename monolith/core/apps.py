from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "monolith.core"
    label = "core"
    verbose_name = "Reelbox core"

    def ready(self) -> None:
        from monolith.core import signals  # noqa: F401  (connects the receivers)
