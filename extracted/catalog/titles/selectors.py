"""Reads of the catalog, shaped exactly as the monolith's views query it."""

from django.db.models import Q, QuerySet

from extracted.catalog.titles.models import Episode, Genre, Person, Season, Title


def title_list(
    *,
    genre: str | None = None,
    year: int | None = None,
    kind: str | None = None,
    search: str | None = None,
) -> QuerySet[Title]:
    """Published titles with the catalog's filters; ordered (name, pk) like the monolith."""
    queryset = Title.objects.filter(is_published=True).prefetch_related("genres")
    if genre:
        queryset = queryset.filter(genres__slug=genre)
    if year is not None:
        queryset = queryset.filter(year=year)
    if kind:
        queryset = queryset.filter(kind=kind)
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(synopsis__icontains=search))
    return queryset.distinct().order_by("name", "pk")


def title_detail_queryset() -> QuerySet[Title]:
    """Published titles with what the detail view nests (seasons, credits and their people)."""
    return Title.objects.filter(is_published=True).prefetch_related(
        "genres", "seasons", "credits__person"
    )


def genre_list() -> QuerySet[Genre]:
    return Genre.objects.order_by("name", "pk")


def season_list(*, title: int | None = None) -> QuerySet[Season]:
    queryset = Season.objects.order_by("title_id", "number", "pk")
    return queryset if title is None else queryset.filter(title_id=title)


def episode_list(*, season: int | None = None, title: int | None = None) -> QuerySet[Episode]:
    queryset = Episode.objects.order_by("season_id", "number", "pk")
    if season is not None:
        queryset = queryset.filter(season_id=season)
    if title is not None:
        queryset = queryset.filter(season__title_id=title)
    return queryset


def person_list(*, search: str | None = None) -> QuerySet[Person]:
    queryset = Person.objects.order_by("name", "pk")
    return queryset.filter(name__icontains=search) if search else queryset
