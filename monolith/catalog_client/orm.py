"""The legacy backend: the catalog's own tables, read as the old call sites read them."""

from monolith.catalog_client.values import EpisodeInfo, GenreInfo, TitleInfo
from monolith.core.models import Episode, Genre, Title


def _title_info(title: Title) -> TitleInfo:
    return TitleInfo(
        id=title.pk,
        kind=title.kind,
        name=title.name,
        slug=title.slug,
        year=title.year,
        maturity_rating=title.maturity_rating,
        runtime_minutes=title.runtime_minutes,
        genres=tuple(genre.slug for genre in title.genres.all()),
        min_plan_tier=title.min_plan_tier,
        average_rating=title.average_rating,
        rating_count=title.rating_count,
    )


class OrmCatalog:
    """Reads ``monolith.core`` models and returns values, never the model instances."""

    def _published(self):
        return Title.objects.filter(is_published=True).prefetch_related("genres")

    def get_title(self, title_id: int) -> TitleInfo | None:
        title = self._published().filter(pk=title_id).first()
        return None if title is None else _title_info(title)

    def get_titles(self, title_ids: list[int]) -> dict[int, TitleInfo]:
        return {t.pk: _title_info(t) for t in self._published().filter(pk__in=title_ids)}

    def list_titles(
        self, *, genre: str | None = None, kind: str | None = None, limit: int = 100
    ) -> list[TitleInfo]:
        titles = self._published()
        if genre:
            titles = titles.filter(genres__slug=genre)
        if kind:
            titles = titles.filter(kind=kind)
        return [_title_info(t) for t in titles.distinct().order_by("name", "pk")[:limit]]

    def get_episode(self, episode_id: int) -> EpisodeInfo | None:
        episode = Episode.objects.filter(pk=episode_id).first()
        if episode is None:
            return None
        return EpisodeInfo(
            id=episode.pk,
            season=episode.season_id,
            number=episode.number,
            name=episode.name,
            runtime_minutes=episode.runtime_minutes,
        )

    def list_genres(self) -> list[GenreInfo]:
        genres = Genre.objects.order_by("name", "pk")
        return [GenreInfo(id=g.pk, name=g.name, slug=g.slug) for g in genres]
