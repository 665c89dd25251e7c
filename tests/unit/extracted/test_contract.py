"""The service answers the monolith's ``/api/catalog/`` requests with the same status and JSON.

The monolith (seeded ``small``) and the service (backfilled from it) are both real servers;
each request goes to both with ``Host: testserver`` so pagination links match, and the decoded
bodies are compared whole. This is what the proxy's shadow mode checks live.
"""

from __future__ import annotations

import httpx
import pytest

from tests.support.catalog_service import OUTBOX_TOKEN, UNPUBLISHED

HOST = {"host": "testserver", "accept": "application/json"}

PATHS = [
    "/api/catalog/",
    "/api/catalog/titles/",
    "/api/catalog/titles/?page=2",
    "/api/catalog/titles/?page_size=5&page=3",
    "/api/catalog/titles/?page_size=1000",
    "/api/catalog/titles/?page=99",
    "/api/catalog/titles/?genre=drama",
    "/api/catalog/titles/?genre=comedy&kind=series",
    "/api/catalog/titles/?genre=nope",
    "/api/catalog/titles/?year=2015",
    "/api/catalog/titles/?year=",
    "/api/catalog/titles/?year=abc",
    "/api/catalog/titles/?kind=movie&page_size=7&page=2",
    "/api/catalog/titles/?kind=bogus",
    "/api/catalog/titles/?search=the",
    "/api/catalog/titles/?search=E",
    "/api/catalog/titles/?search=a&kind=series&page_size=3",
    "/api/catalog/titles/?format=json",
    "/api/catalog/titles/999999/",
    "/api/catalog/titles/not-a-number/",
    "/api/catalog/genres/",
    "/api/catalog/genres/?page_size=2&page=2",
    "/api/catalog/seasons/",
    "/api/catalog/seasons/?page=3",
    "/api/catalog/seasons/?title=abc",
    "/api/catalog/episodes/",
    "/api/catalog/episodes/?page=4&page_size=50",
    "/api/catalog/episodes/?season=x",
    "/api/catalog/people/",
    "/api/catalog/people/?page=3",
    "/api/catalog/people/?search=an",
    "/api/catalog/people/?search=zzz",
    "/api/catalog/people/999999/",
]


def same_answer(client: httpx.Client, monolith_url: str, service_url: str, path: str,
                method: str = "GET") -> None:
    expected = client.request(method, monolith_url + path)
    actual = client.request(method, service_url + path)
    assert actual.status_code == expected.status_code, path
    assert actual.headers.get("content-type") == expected.headers.get("content-type"), path
    if expected.content:
        assert actual.json() == expected.json(), path
    else:
        assert actual.content == expected.content, path


@pytest.fixture(scope="module")
def client():
    with httpx.Client(headers=HOST, timeout=30) as session:
        yield session


@pytest.fixture(scope="module")
def exported(monolith) -> dict[str, list[dict]]:
    """Every row of the monolith's catalog, unpublished titles included (the export API)."""
    headers = {"authorization": f"Bearer {OUTBOX_TOKEN}"}
    return {
        name: httpx.get(f"{monolith.url}/api/outbox/export/{name}/?limit=1000", headers=headers,
                        timeout=30).json()["rows"]
        for name in ("genre", "person", "title", "season", "episode")
    }


@pytest.mark.parametrize("path", PATHS)
def test_lists_filters_and_errors_match(client, monolith, service, path):
    same_answer(client, monolith.url, service.url, path)


def test_every_title_detail_matches_including_unpublished_404s(client, monolith, service, exported):
    for title in exported["title"]:
        same_answer(client, monolith.url, service.url, f"/api/catalog/titles/{title['id']}/")
    assert len(exported["title"]) == 40
    assert sorted(t["id"] for t in exported["title"] if not t["is_published"]) == list(UNPUBLISHED)


def test_every_season_episode_genre_and_person_matches(client, monolith, service, exported):
    paths = (
        [f"/api/catalog/seasons/{s['id']}/" for s in exported["season"][:10]]
        + [f"/api/catalog/seasons/?title={s['title_id']}" for s in exported["season"][:10]]
        + [f"/api/catalog/episodes/{e['id']}/" for e in exported["episode"][:10]]
        + [f"/api/catalog/episodes/?season={e['season_id']}" for e in exported["episode"][:10]]
        + [f"/api/catalog/episodes/?title={s['title_id']}" for s in exported["season"][:5]]
        + [f"/api/catalog/genres/{g['id']}/" for g in exported["genre"]]
        + [f"/api/catalog/people/{p['id']}/" for p in exported["person"][:10]]
    )
    assert exported["season"] and exported["episode"]
    for path in paths:
        same_answer(client, monolith.url, service.url, path)


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_anonymous_writes_are_refused_alike(client, monolith, service, exported, method):
    path = "/api/catalog/genres/"
    if method == "DELETE":
        path += f"{exported['genre'][0]['id']}/"
    same_answer(client, monolith.url, service.url, path, method)


@pytest.mark.parametrize("path", ["/api/catalog/titles/", "/api/catalog/people/1/",
                                  "/api/catalog/episodes/"])
def test_options_metadata_matches(client, monolith, service, path):
    same_answer(client, monolith.url, service.url, path, "OPTIONS")


def test_head_matches(client, monolith, service):
    expected = client.head(monolith.url + "/api/catalog/titles/?page=2")
    actual = client.head(service.url + "/api/catalog/titles/?page=2")
    assert (actual.status_code, actual.content) == (expected.status_code, expected.content)
    assert actual.status_code == 200
