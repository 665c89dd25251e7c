from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "monolith.recommendations"
    label = "recommendations"
