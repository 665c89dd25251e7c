"""The full state of a catalog row as plain JSON: the payload of events and of the export.

The service applies a snapshot as an upsert by primary key, so applying one twice, or an
older one followed by a newer one, always ends in the newer state.
"""

from typing import Any

from django.db.models import Model

from monolith.core.models import Credit, Episode, Genre, Person, Season, Title

# aggregate name -> (model, plain fields copied as they are)
AGGREGATES: dict[str, tuple[type[Model], tuple[str, ...]]] = {
    "genre": (Genre, ("id", "name", "slug")),
    "person": (Person, ("id", "name", "slug")),
    "title": (
        Title,
        (
            "id",
            "kind",
            "name",
            "slug",
            "year",
            "synopsis",
            "maturity_rating",
            "runtime_minutes",
            "min_plan_tier",
            "rating_count",
            "is_published",
        ),
    ),
    "season": (Season, ("id", "title_id", "number", "name")),
    "episode": (Episode, ("id", "season_id", "number", "name", "runtime_minutes")),
    "credit": (Credit, ("id", "person_id", "title_id", "role", "character", "billing_order")),
}
# Parents before children: the order a backfill copies them in.
AGGREGATE_ORDER = ("genre", "person", "title", "season", "episode", "credit")
AGGREGATE_OF_MODEL = {model: name for name, (model, _) in AGGREGATES.items()}


def snapshot(aggregate: str, instance: Model) -> dict[str, Any]:
    """The JSON state of ``instance`` (a row of ``aggregate``)."""
    _, fields = AGGREGATES[aggregate]
    data = {field: getattr(instance, field) for field in fields}
    if aggregate == "title":
        average = instance.average_rating
        # A string, as DRF renders the DecimalField, so no float rounding creeps in.
        data["average_rating"] = None if average is None else f"{average:.2f}"
        data["created_at"] = instance.created_at.isoformat()
        data["genres"] = sorted(genre.pk for genre in instance.genres.all())
    return data
