"""The compact form facts cross processes in: every fact kind round-trips exactly."""

from __future__ import annotations

import marshal
from dataclasses import fields

from analysis.extract import extract_packed, extract_source
from analysis.extract.packed import pack, unpack
from analysis.facts import FileFacts
from tests.unit.analysis.helpers import facts_of

# One module with at least one fact of every kind FileFacts holds.
EVERY_KIND = """
import importlib
from typing import TYPE_CHECKING
from django.apps import AppConfig
from django.db import models, transaction
from django.dispatch import receiver, Signal
from django.urls import include, path
from rest_framework import serializers
from celery import shared_task
if TYPE_CHECKING:
    from .types import Hint
mod = importlib.import_module("..plugins", "pkg")
INSTALLED_APPS = ["core", "shop"]
AUTH_USER_MODEL = "core.User"
done = Signal()
urlpatterns = [path("api/", include("shop.urls")), path("t/", views.TitleView.as_view(), name="t")]
router.register("titles", TitleViewSet)

class CoreConfig(AppConfig):
    name = "core"

class Title(models.Model):
    owner = models.ForeignKey("core.User", on_delete=models.CASCADE, related_name="titles")
    class Meta:
        abstract = True

class TitleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Title

@receiver(done, sender=Title)
def on_done(sender, **kwargs):
    User = apps.get_model("core", "User")
    done.send(sender=Title)

@shared_task
def rebuild():
    with transaction.atomic():
        Title.objects.filter(owner__name="x").update(name="y")
    rebuild.delay()
"""


def test_every_fact_kind_is_in_the_sample() -> None:
    facts = facts_of(EVERY_KIND)
    empty = [f.name for f in fields(FileFacts)[2:] if not getattr(facts, f.name)]
    assert empty == []


def test_packed_facts_survive_marshal_exactly() -> None:
    facts = facts_of(EVERY_KIND, "pkg.mod", is_package=True)
    back = unpack(marshal.loads(marshal.dumps(pack(facts))))
    assert back == facts
    # Equal and also the same types (True stays a bool, lines stay ints): the JSON differs
    # otherwise.
    assert repr(back) == repr(facts)
    assert hash(back.imports[0]) == hash(facts.imports[0])


def test_extract_packed_is_extract_source_packed() -> None:
    source = EVERY_KIND.removeprefix("\n").encode()
    packed = extract_packed(source, "pkg.mod")
    assert unpack(packed) == extract_source(source, "pkg.mod")
    assert marshal.loads(marshal.dumps(packed)) == packed


def test_empty_module_round_trips() -> None:
    facts = facts_of("")
    assert unpack(pack(facts)) == FileFacts(module="app.mod", is_package=False)
