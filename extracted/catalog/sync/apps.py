from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "extracted.catalog.sync"
    label = "catalog_sync"
    verbose_name = "Catalog sync from the monolith"
