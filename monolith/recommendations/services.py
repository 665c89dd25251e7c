"""The recommender: reads ratings, playback history and the catalog straight from their tables."""

from django.db.models import Count, F, QuerySet

from monolith.core.models import Genre, Title, User
from monolith.playback.models import PlaybackPosition, ViewingSession
from monolith.ratings.models import Rating
from monolith.recommendations.models import TasteProfile

LIKED_SCORE = 4


def liked_genre_ids(user: User) -> list[int]:
    """Genres of titles the user rated well, then the taste profile's, most frequent first."""
    rated = (
        Genre.objects.filter(titles__ratings__user=user, titles__ratings__score__gte=LIKED_SCORE)
        .annotate(n=Count("pk"))
        .order_by("-n", "pk")
        .values_list("pk", flat=True)
    )
    ids = list(rated)
    taste = TasteProfile.objects.filter(user=user).first()
    if taste is not None:
        ids += [
            pk
            for pk in taste.favourite_genres.order_by("pk").values_list("pk", flat=True)
            if pk not in ids
        ]
    return ids


def seen_title_ids(user: User) -> set[int]:
    watched = ViewingSession.objects.filter(user=user).values_list("title_id", flat=True)
    positioned = PlaybackPosition.objects.filter(profile__user=user).values_list(
        "title_id", flat=True
    )
    rated = Rating.objects.filter(user=user).values_list("title_id", flat=True)
    return set(watched) | set(positioned) | set(rated)


def recommend_for(user: User) -> QuerySet[Title]:
    """Unseen titles in the user's genres, best rated first; popular titles when we know nothing."""
    titles = Title.objects.filter(is_published=True).exclude(pk__in=seen_title_ids(user))
    genres = liked_genre_ids(user)
    if genres:
        titles = titles.filter(genres__in=genres).distinct()
    return titles.order_by(F("average_rating").desc(nulls_last=True), "-rating_count", "name", "pk")


def similar_titles(title: Title) -> QuerySet[Title]:
    """Titles sharing the most genres with ``title``."""
    genre_ids = list(title.genres.values_list("pk", flat=True))
    return (
        Title.objects.filter(is_published=True, genres__in=genre_ids)
        .exclude(pk=title.pk)
        .annotate(shared=Count("genres"))
        .order_by("-shared", F("average_rating").desc(nulls_last=True), "name", "pk")
    )
