"""/api/catalog/: public reads, staff writes, filters, pagination, stable ordering."""

import pytest

from monolith.core.models import Title

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    return [row["name"] for row in response.json()["results"]]


def test_titles_list_is_public_ordered_and_hides_unpublished(api, catalog):
    response = api.get("/api/catalog/titles/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert names(response) == ["Alpha River", "Beta Kingdom", "Gamma Premium"]
    assert body["results"][0]["genres"] == ["drama"]


def test_titles_pagination_with_page_size(api, catalog):
    first = api.get("/api/catalog/titles/?page_size=2").json()
    second = api.get("/api/catalog/titles/?page_size=2&page=2").json()
    assert [r["name"] for r in first["results"]] == ["Alpha River", "Beta Kingdom"]
    assert first["next"].endswith("page=2&page_size=2")
    assert [r["name"] for r in second["results"]] == ["Gamma Premium"]
    assert second["next"] is None


def test_titles_out_of_range_page_is_404(api, catalog):
    response = api.get("/api/catalog/titles/?page=9")
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


def test_same_name_titles_keep_a_stable_order_by_pk(api, catalog):
    twins = [Title.objects.create(name="Twin", slug=f"twin-{n}", year=2000) for n in range(3)]
    results = api.get("/api/catalog/titles/?search=twin").json()["results"]
    assert [r["id"] for r in results] == [t.pk for t in twins]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("genre=comedy", ["Beta Kingdom", "Gamma Premium"]),
        ("year=2001", ["Alpha River"]),
        ("kind=series", ["Beta Kingdom"]),
        ("search=river", ["Alpha River"]),
        ("genre=drama&year=2010", ["Beta Kingdom"]),
        ("genre=no-such-genre", []),
    ],
)
def test_titles_filters(api, catalog, query, expected):
    assert names(api.get(f"/api/catalog/titles/?{query}")) == expected


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("year=abc", {"year": ["A valid integer is required."]}),
        ("kind=opera", {"kind": ['"opera" is not a valid choice.']}),
    ],
)
def test_titles_bad_filter_is_400_with_drf_body(api, catalog, query, error):
    response = api.get(f"/api/catalog/titles/?{query}")
    assert response.status_code == 400
    assert response.json() == error


def test_title_detail_nests_seasons_and_credits(api, catalog):
    movie = api.get(f"/api/catalog/titles/{catalog['movie'].pk}/").json()
    assert movie["synopsis"] == "A river story."
    assert movie["credits"][0]["person"]["name"] == "Ana Alves"
    series = api.get(f"/api/catalog/titles/{catalog['series'].pk}/").json()
    assert series["seasons"] == [
        {
            "id": catalog["season"].pk,
            "title": catalog["series"].pk,
            "number": 1,
            "name": "One",
            "episode_count": 2,
        }
    ]


def test_title_detail_404_for_missing_and_unpublished(api, catalog):
    assert api.get("/api/catalog/titles/999999/").status_code == 404
    assert api.get(f"/api/catalog/titles/{catalog['hidden'].pk}/").status_code == 404


def test_title_write_needs_login_then_staff(api, viewer_api, staff_api, catalog):
    payload = {"name": "New One", "year": 2024, "kind": "movie", "genres": ["drama"]}
    anonymous = api.post("/api/catalog/titles/", payload, format="json")
    assert anonymous.status_code == 401
    assert viewer_api.post("/api/catalog/titles/", payload, format="json").status_code == 403
    created = staff_api.post("/api/catalog/titles/", payload, format="json")
    assert created.status_code == 201
    assert created.json()["slug"] == "new-one-2024"
    assert Title.objects.get(slug="new-one-2024").genres.get().slug == "drama"


def test_title_write_bad_input_is_400(staff_api, catalog):
    response = staff_api.post(
        "/api/catalog/titles/", {"name": "", "year": 1500, "genres": ["nope"]}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"name", "year", "genres"}
    assert body["year"] == ["Ensure this value is greater than or equal to 1888."]


def test_genres_people_seasons_episodes_lists(api, catalog):
    assert [g["slug"] for g in api.get("/api/catalog/genres/").json()["results"]] == [
        "comedy",
        "drama",
    ]
    assert api.get("/api/catalog/people/?search=ana").json()["results"][0]["slug"] == "ana-alves"
    assert api.get("/api/catalog/people/?search=zed").json()["count"] == 0
    seasons = api.get(f"/api/catalog/seasons/?title={catalog['series'].pk}").json()
    assert seasons["count"] == 1
    episodes = api.get(f"/api/catalog/episodes/?season={catalog['season'].pk}&page_size=1").json()
    assert episodes["count"] == 2 and [e["number"] for e in episodes["results"]] == [1]
    assert api.get(f"/api/catalog/episodes/?title={catalog['movie'].pk}").json()["count"] == 0


def test_catalog_detail_404s_and_bad_filters(api, catalog):
    for url in (
        "/api/catalog/genres/999/",
        "/api/catalog/people/999/",
        "/api/catalog/seasons/999/",
        "/api/catalog/episodes/999/",
    ):
        assert api.get(url).status_code == 404
    response = api.get("/api/catalog/episodes/?season=x")
    assert response.status_code == 400
    assert response.json() == {"season": ["A valid integer is required."]}


def test_genre_write_rules(api, viewer_api, staff_api, catalog):
    assert api.post("/api/catalog/genres/", {"name": "Noir", "slug": "noir"}).status_code == 401
    assert (
        viewer_api.post("/api/catalog/genres/", {"name": "Noir", "slug": "noir"}).status_code == 403
    )
    duplicate = staff_api.post("/api/catalog/genres/", {"name": "Drama", "slug": "drama"})
    assert duplicate.status_code == 400
    assert duplicate.json()["slug"] == ["genre with this slug already exists."]
    assert (
        staff_api.post("/api/catalog/genres/", {"name": "Noir", "slug": "noir"}).status_code == 201
    )
