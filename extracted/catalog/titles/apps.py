from django.apps import AppConfig


class TitlesConfig(AppConfig):
    name = "extracted.catalog.titles"
    label = "catalog"
    verbose_name = "Catalog"
