from analysis.facts import ClassBodyFact, GetModelFact, RelationFact
from tests.unit.analysis.helpers import facts_of


def test_relation_fields_in_every_spelling() -> None:
    facts = facts_of(
        """
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.db import models
        from app.core.models import Title

        class Session(models.Model):
            title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="sessions")
            episode = models.ForeignKey("core.Episode", models.SET_NULL, null=True)
            user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
            owner = models.OneToOneField(get_user_model(), on_delete=models.CASCADE)
            parent = models.ForeignKey(to="self", on_delete=models.CASCADE)
            genres = models.ManyToManyField("Genre")
            name = models.CharField(max_length=10)
        """
    )
    assert facts.relations == (
        RelationFact("Session", "title", "fk", "Title", False, 7, "sessions"),
        RelationFact("Session", "episode", "fk", "core.Episode", True, 8),
        RelationFact("Session", "user", "fk", "settings.AUTH_USER_MODEL", False, 9),
        RelationFact("Session", "owner", "o2o", "get_user_model()", False, 10),
        RelationFact("Session", "parent", "fk", "self", True, 11),
        RelationFact("Session", "genres", "m2m", "Genre", True, 12),
    )


def test_meta_flags_of_abstract_and_proxy_models() -> None:
    facts = facts_of(
        """
        class Base(models.Model):
            class Meta:
                abstract = True

        class Special(Title):
            class Meta:
                proxy = True
                app_label = "catalog"
        """
    )
    flags = [b for b in facts.class_bodies if b.in_meta and b.attr != "model"]
    assert flags == [
        ClassBodyFact("Base", "abstract", "True", 3, in_meta=True, literal=True),
        ClassBodyFact("Special", "proxy", "True", 7, in_meta=True, literal=True),
        ClassBodyFact("Special", "app_label", "catalog", 8, in_meta=True, literal=True),
    ]


def test_get_model_and_get_user_model_calls() -> None:
    facts = facts_of(
        """
        from django.apps import apps

        def titles():
            Title = apps.get_model("core", "Title")
            Rating = apps.get_model("ratings.Rating")
            return get_user_model()
        """
    )
    assert facts.get_models == (
        GetModelFact("titles", "core", "Title", 4),
        GetModelFact("titles", "ratings", "Rating", 5),
        GetModelFact("titles", "", "get_user_model()", 6),
    )
