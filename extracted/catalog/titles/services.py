"""Writes to the catalog: slugs for API-created titles, and applying the monolith's snapshots.

A snapshot is a row's full state as ``monolith.outbox.snapshots`` writes it. Applying one is an
upsert by primary key, so re-applying it (a resumed backfill, a duplicate event) changes nothing.
"""

from typing import Any

from django.db import models
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify

from extracted.catalog.titles.models import Credit, Episode, Genre, Person, Season, Title

SNAPSHOT_MODELS: dict[str, type[models.Model]] = {
    "genre": Genre,
    "person": Person,
    "title": Title,
    "season": Season,
    "episode": Episode,
    "credit": Credit,
}
# Single-column unique values a replayed older snapshot may find held by another row.
_UNIQUE_TEXT = {"genre": ("name", "slug"), "person": ("slug",), "title": ("slug",)}


# Foreign keys a snapshot points along: a row whose parent is absent is skipped, because the
# parent arrived after the copy started and the row's own later event will bring it.
_PARENTS: dict[str, tuple[tuple[str, type[models.Model]], ...]] = {
    "season": (("title_id", Title),),
    "episode": (("season_id", Season),),
    "credit": (("title_id", Title), ("person_id", Person)),
}


class UnknownAggregate(ValueError):
    """A snapshot names no catalog table."""


def unique_slug(model: type[models.Model], value: str, *, field: str = "slug") -> str:
    """Slugify ``value`` and add ``-2``, ``-3``... until no row of ``model`` uses it."""
    base = slugify(value)[:200] or "item"
    candidate, n = base, 1
    while model._default_manager.filter(**{field: candidate}).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _model(aggregate: str) -> type[models.Model]:
    try:
        return SNAPSHOT_MODELS[aggregate]
    except KeyError:
        raise UnknownAggregate(f"unknown aggregate {aggregate!r}") from None


def apply_upsert(aggregate: str, payload: dict[str, Any]) -> bool:
    """Make the row ``payload["id"]`` of ``aggregate`` hold exactly ``payload``.

    False when the row was skipped because a parent row is absent (see ``_PARENTS``).
    """
    model = _model(aggregate)
    for field, parent in _PARENTS.get(aggregate, ()):
        if not parent._default_manager.filter(pk=payload[field]).exists():
            return False
    values = dict(payload)
    pk = values.pop("id")
    genres = values.pop("genres", None)
    if "created_at" in values:
        values["created_at"] = parse_datetime(values["created_at"])
    for field in _UNIQUE_TEXT.get(aggregate, ()):
        # Replaying history: a value this row held earlier may now belong to another row,
        # whose own later event restores it. Park that row's value meanwhile.
        clash = model._default_manager.filter(**{field: values[field]}).exclude(pk=pk)
        for other_pk in clash.values_list("pk", flat=True):
            clash.filter(pk=other_pk).update(**{field: f"~parked-{other_pk}"})
    row, _ = model._default_manager.update_or_create(pk=pk, defaults=values)
    if genres is not None:
        row.genres.set(Genre.objects.filter(pk__in=genres))
    return True


def apply_delete(aggregate: str, pk: int) -> None:
    """Delete the row if present (deleting twice is harmless); children cascade as upstream."""
    _model(aggregate)._default_manager.filter(pk=pk).delete()
