"""/api/playback/: starting streams (billing checked directly), positions, continue-watching."""

from datetime import timedelta

import pytest
from django.utils import timezone

from monolith.core.models import Profile, Subscription
from monolith.playback.models import PlaybackPosition, ViewingSession
from tests.unit.monolith.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def profile(viewer) -> Profile:
    return viewer.profiles.get()


def start(client, profile, title, **extra):
    return client.post(
        "/api/playback/sessions/",
        {"profile": profile.pk, "title": title.pk, **extra},
        format="json",
    )


def test_start_and_stop_a_stream_records_the_position(viewer_api, profile, catalog):
    response = start(viewer_api, profile, catalog["movie"], device="tv")
    assert response.status_code == 201
    session = response.json()
    assert session["title"]["name"] == "Alpha River" and session["device"] == "tv"
    stopped = viewer_api.post(
        f"/api/playback/sessions/{session['id']}/stop/", {"position_seconds": 600}
    )
    assert stopped.status_code == 200 and stopped.json()["ended_at"] is not None
    position = PlaybackPosition.objects.get(profile=profile, title=catalog["movie"])
    assert (position.position_seconds, position.duration_seconds) == (600, 6000)
    again = viewer_api.post(
        f"/api/playback/sessions/{session['id']}/stop/", {"position_seconds": 1}
    )
    assert again.status_code == 400 and again.json() == {
        "detail": "This session has already ended."
    }


def test_expired_subscription_blocks_playback(viewer_api, viewer, profile, catalog):
    Subscription.objects.filter(user=viewer).update(
        current_period_end=timezone.now() - timedelta(days=1)
    )
    response = start(viewer_api, profile, catalog["movie"])
    assert response.status_code == 402
    assert response.json() == {"detail": "An active subscription is required to start playback."}
    assert ViewingSession.objects.count() == 0


def test_premium_title_needs_a_higher_plan(viewer_api, profile, catalog):
    response = start(viewer_api, profile, catalog["premium"])
    assert response.status_code == 402
    assert "needs a higher plan than Basic" in response.json()["detail"]


def test_stream_limit_of_the_plan(viewer_api, profile, catalog):
    assert start(viewer_api, profile, catalog["movie"]).status_code == 201
    second = start(viewer_api, profile, catalog["series"])
    assert second.status_code == 429
    assert "simultaneous streams" in second.json()["detail"]


def test_start_bad_input_is_400(viewer_api, profile, catalog):
    stranger = make_user("stranger").profiles.get()
    response = viewer_api.post(
        "/api/playback/sessions/",
        {"profile": stranger.pk, "title": 999999, "device": "x" * 50},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"profile", "title", "device"}
    wrong_episode = start(viewer_api, profile, catalog["movie"], episode=catalog["episodes"][0].pk)
    assert wrong_episode.status_code == 400
    assert wrong_episode.json() == {"episode": ["This episode does not belong to the title."]}


def test_sessions_need_login_and_are_private(api, viewer_api, profile, catalog, plans):
    assert api.get("/api/playback/sessions/").status_code == 401
    other = make_user("other", plan=plans["basic"])
    other_session = ViewingSession.objects.create(
        user=other, profile=other.profiles.get(), title=catalog["movie"]
    )
    assert viewer_api.get(f"/api/playback/sessions/{other_session.pk}/").status_code == 404
    start(viewer_api, profile, catalog["movie"])
    listing = viewer_api.get("/api/playback/sessions/?open=1")
    assert listing.json()["count"] == 1
    assert viewer_api.get("/api/playback/sessions/?open=yes").status_code == 400


def test_positions_upsert_and_continue_watching(viewer_api, profile, catalog):
    episode = catalog["episodes"][1]
    body = {
        "profile": profile.pk,
        "title": catalog["series"].pk,
        "episode": episode.pk,
        "position_seconds": 100,
    }
    assert viewer_api.post("/api/playback/positions/", body, format="json").status_code == 201
    body["position_seconds"] = 200
    assert (
        viewer_api.post("/api/playback/positions/", body, format="json").json()["position_seconds"]
        == 200
    )
    finished = {"profile": profile.pk, "title": catalog["movie"].pk, "position_seconds": 5990}
    viewer_api.post("/api/playback/positions/", finished, format="json")
    assert PlaybackPosition.objects.count() == 2
    listing = viewer_api.get(f"/api/playback/positions/?profile={profile.pk}&page_size=1").json()
    assert listing["count"] == 2 and listing["next"] is not None
    rows = viewer_api.get("/api/playback/continue-watching/").json()["results"]
    assert [r["title_detail"]["name"] for r in rows] == ["Beta Kingdom"]


def test_positions_bad_input_and_login(api, viewer_api, profile):
    assert api.get("/api/playback/continue-watching/").status_code == 401
    response = viewer_api.post(
        "/api/playback/positions/", {"profile": profile.pk, "title": 424242, "position_seconds": -5}
    )
    assert response.status_code == 400
    assert set(response.json()) == {"title", "position_seconds"}
