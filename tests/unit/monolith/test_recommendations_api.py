"""/api/recommendations/: picks built from ratings, playback history, tastes and the catalog."""

import pytest

from monolith.playback.models import ViewingSession
from monolith.ratings.models import Rating

pytestmark = pytest.mark.django_db


def test_for_you_prefers_liked_genres_and_skips_seen_titles(viewer_api, viewer, catalog):
    Rating.objects.create(user=viewer, title=catalog["premium"], score=5)  # likes comedy
    response = viewer_api.get("/api/recommendations/for-you/")
    assert response.status_code == 200
    assert [t["name"] for t in response.json()["results"]] == ["Beta Kingdom"]
    ViewingSession.objects.create(
        user=viewer, profile=viewer.profiles.get(), title=catalog["series"]
    )
    assert viewer_api.get("/api/recommendations/for-you/").json()["count"] == 0


def test_for_you_without_history_lists_everything_stably(viewer_api, catalog):
    names = [
        t["name"]
        for t in viewer_api.get("/api/recommendations/for-you/?page_size=2").json()["results"]
    ]
    assert names == ["Alpha River", "Beta Kingdom"]


def test_for_you_needs_login(api):
    assert api.get("/api/recommendations/for-you/").status_code == 401


def test_similar_titles_are_public(api, catalog):
    response = api.get(f"/api/recommendations/similar/{catalog['series'].pk}/")
    assert response.status_code == 200
    assert [t["name"] for t in response.json()["results"]] == ["Alpha River", "Gamma Premium"]
    assert api.get("/api/recommendations/similar/999999/").status_code == 404


def test_taste_profile_round_trip_and_validation(api, viewer_api, catalog):
    assert api.get("/api/recommendations/taste/").status_code == 401
    assert viewer_api.get("/api/recommendations/taste/").json()["favourite_genres"] == []
    updated = viewer_api.put(
        "/api/recommendations/taste/", {"favourite_genres": ["drama"]}, format="json"
    )
    assert updated.status_code == 200 and updated.json()["favourite_genres"] == ["drama"]
    bad = viewer_api.put(
        "/api/recommendations/taste/", {"favourite_genres": ["opera"]}, format="json"
    )
    assert bad.status_code == 400
    assert bad.json() == {"favourite_genres": ["Object with slug=opera does not exist."]}
    names = [t["name"] for t in viewer_api.get("/api/recommendations/for-you/").json()["results"]]
    assert names == ["Alpha River", "Beta Kingdom"]
