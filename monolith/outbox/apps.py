from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "monolith.outbox"
    label = "outbox"
    verbose_name = "Catalog outbox"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Listed after ratings in INSTALLED_APPS, so the rating receiver below runs after
        # ratings' own one has written the new average into the title.
        from monolith.outbox import receivers  # noqa: F401  (connects the receivers)
