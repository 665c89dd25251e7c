"""Thin DRF views: parse the query, call a selector or a service, serialize.

Class names and docstrings match the monolith's views because DRF shows them in ``OPTIONS``
answers and the browsable API: the contract covers them too.
"""

from rest_framework import viewsets

from extracted.catalog.common.params import choice_param, int_param
from extracted.catalog.common.permissions import IsStaffOrReadOnly
from extracted.catalog.titles import selectors, services
from extracted.catalog.titles.models import Title
from extracted.catalog.titles.serializers import (
    EpisodeSerializer,
    GenreSerializer,
    PersonSerializer,
    SeasonSerializer,
    TitleDetailSerializer,
    TitleListSerializer,
)


class TitleViewSet(viewsets.ModelViewSet):
    """Titles: ``?genre=<slug>&year=<int>&kind=movie|series&search=<text>``."""

    permission_classes = [IsStaffOrReadOnly]
    def get_queryset(self):
        if self.action != "list":
            return selectors.title_detail_queryset()
        return selectors.title_list(
            genre=self.request.query_params.get("genre"),
            year=int_param(self.request, "year"),
            kind=choice_param(self.request, "kind", [Title.MOVIE, Title.SERIES]),
            search=self.request.query_params.get("search"),
        )

    def get_serializer_class(self):
        return TitleListSerializer if self.action == "list" else TitleDetailSerializer

    def perform_create(self, serializer) -> None:
        data = serializer.validated_data
        serializer.save(slug=services.unique_slug(Title, f"{data['name']}-{data['year']}"))


class GenreViewSet(viewsets.ModelViewSet):
    """Genres, public to read."""

    permission_classes = [IsStaffOrReadOnly]
    serializer_class = GenreSerializer

    def get_queryset(self):
        return selectors.genre_list()


class SeasonViewSet(viewsets.ModelViewSet):
    """Seasons: ``?title=<id>``."""

    permission_classes = [IsStaffOrReadOnly]
    serializer_class = SeasonSerializer

    def get_queryset(self):
        return selectors.season_list(title=int_param(self.request, "title"))


class EpisodeViewSet(viewsets.ModelViewSet):
    """Episodes: ``?season=<id>`` or ``?title=<id>``."""

    permission_classes = [IsStaffOrReadOnly]
    serializer_class = EpisodeSerializer

    def get_queryset(self):
        return selectors.episode_list(
            season=int_param(self.request, "season"), title=int_param(self.request, "title")
        )


class PersonViewSet(viewsets.ModelViewSet):
    """People: ``?search=<name>``."""

    permission_classes = [IsStaffOrReadOnly]
    serializer_class = PersonSerializer

    def get_queryset(self):
        return selectors.person_list(search=self.request.query_params.get("search"))
