"""/api/ratings/: the user's ratings (which write the title's average) and reviews."""

from decimal import Decimal

import pytest

from monolith.ratings.models import Rating, Review
from tests.unit.monolith.conftest import make_user

pytestmark = pytest.mark.django_db


def test_rating_updates_the_title_average(viewer_api, catalog, api):
    movie = catalog["movie"]
    assert (
        viewer_api.post("/api/ratings/ratings/", {"title": movie.pk, "score": 5}).status_code == 201
    )
    Rating.objects.create(user=make_user("second"), title=movie, score=2)
    movie.refresh_from_db()
    assert (movie.average_rating, movie.rating_count) == (Decimal("3.50"), 2)
    assert api.get(f"/api/catalog/titles/{movie.pk}/").json()["average_rating"] == "3.50"


def test_rating_again_updates_and_delete_recomputes(viewer_api, catalog):
    movie = catalog["movie"]
    first = viewer_api.post("/api/ratings/ratings/", {"title": movie.pk, "score": 1})
    again = viewer_api.post("/api/ratings/ratings/", {"title": movie.pk, "score": 4})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    movie.refresh_from_db()
    assert movie.average_rating == Decimal("4.00")
    assert viewer_api.delete(f"/api/ratings/ratings/{first.json()['id']}/").status_code == 204
    movie.refresh_from_db()
    assert (movie.average_rating, movie.rating_count) == (None, 0)


def test_rating_bad_input_is_400(viewer_api, catalog):
    response = viewer_api.post("/api/ratings/ratings/", {"title": catalog["hidden"].pk, "score": 9})
    assert response.status_code == 400
    assert response.json() == {
        "title": [f'Invalid pk "{catalog["hidden"].pk}" - object does not exist.'],
        "score": ["Ensure this value is less than or equal to 5."],
    }


def test_ratings_are_private_filtered_and_need_login(api, viewer_api, catalog):
    assert api.get("/api/ratings/ratings/").status_code == 401
    mine = viewer_api.post(
        "/api/ratings/ratings/", {"title": catalog["movie"].pk, "score": 3}
    ).json()
    viewer_api.post("/api/ratings/ratings/", {"title": catalog["series"].pk, "score": 3})
    foreign = Rating.objects.create(user=make_user("other"), title=catalog["movie"], score=1)
    assert viewer_api.get(f"/api/ratings/ratings/?title={catalog['movie'].pk}").json()[
        "results"
    ] == [mine]
    assert viewer_api.get("/api/ratings/ratings/?page_size=1").json()["count"] == 2
    assert viewer_api.get(f"/api/ratings/ratings/{foreign.pk}/").status_code == 404
    moved = viewer_api.patch(f"/api/ratings/ratings/{mine['id']}/", {"title": catalog["series"].pk})
    assert moved.status_code == 400 and moved.json() == {
        "title": ["A rating cannot move to another title."]
    }


def test_reviews_nest_the_title_and_only_the_author_edits(viewer_api, catalog, api):
    viewer_api.post("/api/ratings/ratings/", {"title": catalog["movie"].pk, "score": 4})
    created = viewer_api.post(
        "/api/ratings/reviews/",
        {"title": catalog["movie"].pk, "headline": "Lovely", "body": "Go see it."},
    )
    assert created.status_code == 201
    review = created.json()
    assert (
        review["title_detail"]["name"] == "Alpha River"
        and review["score"] == 4
        and review["author"] == "viewer"
    )
    assert api.get("/api/ratings/reviews/").status_code == 401
    viewer_api.force_authenticate(make_user("critic"))
    listing = viewer_api.get(f"/api/ratings/reviews/?title={catalog['movie'].pk}").json()
    assert [r["headline"] for r in listing["results"]] == ["Lovely"]
    assert (
        viewer_api.patch(f"/api/ratings/reviews/{review['id']}/", {"headline": "Meh"}).status_code
        == 403
    )
    assert viewer_api.get("/api/ratings/reviews/999/").status_code == 404
    bad = viewer_api.post("/api/ratings/reviews/", {"title": catalog["movie"].pk})
    assert bad.status_code == 400 and set(bad.json()) == {"headline", "body"}
    assert Review.objects.count() == 1
