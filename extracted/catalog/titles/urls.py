"""``/api/catalog/``: the same router, basenames and therefore URL names as the monolith."""

from rest_framework.routers import DefaultRouter

from extracted.catalog.titles import apis

router = DefaultRouter()
router.register("titles", apis.TitleViewSet, basename="title")
router.register("genres", apis.GenreViewSet, basename="genre")
router.register("seasons", apis.SeasonViewSet, basename="season")
router.register("episodes", apis.EpisodeViewSet, basename="episode")
router.register("people", apis.PersonViewSet, basename="person")

urlpatterns = router.urls
