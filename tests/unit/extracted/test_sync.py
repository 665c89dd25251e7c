"""``sync``: changes made in the monolith reach the service; a crash mid-drain loses nothing;
replaying events already applied changes nothing; the lag is reported."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from tests.support.catalog_service import (
    OUTBOX_TOKEN,
    Process,
    catalog_service,
    copy_db,
    monolith_process,
    seeded_monolith_db,
    staff_token,
)
from tests.support.flaky import FlakyForwarder
from tests.support.servers import running

HOST = {"host": "testserver", "accept": "application/json"}


def get(url: str, path: str) -> httpx.Response:
    return httpx.get(url + path, headers=HOST, timeout=30)


def lag_of(output: str) -> int:
    found = re.search(r"lag=(\d+)", output)
    assert found, output
    return int(found.group(1))


@pytest.fixture(scope="module")
def monolith(tmp_path_factory) -> Iterator[Process]:
    """This module's own monolith: its tests write to it."""
    directory = tmp_path_factory.mktemp("monolith-sync")
    with monolith_process(copy_db(seeded_monolith_db(tmp_path_factory), directory)) as server:
        yield server


@pytest.fixture(scope="module")
def service(tmp_path_factory, monolith) -> Iterator[Process]:
    with catalog_service(tmp_path_factory.mktemp("catalog-sync") / "catalog.sqlite3") as server:
        server.manage("backfill", "--source", monolith.url, "--token", OUTBOX_TOKEN)
        yield server


@pytest.fixture(scope="module")
def changes(monolith, service) -> dict:
    """Writes through the monolith's API after the backfill: each one becomes outbox events."""
    staff = httpx.Client(base_url=monolith.url, timeout=30,
                         headers={"authorization": f"Token {staff_token(monolith.url)}"})
    genre = staff.post("/api/catalog/genres/", json={"name": "Noir", "slug": "noir"}).json()
    title = staff.post("/api/catalog/titles/", json={
        "kind": "movie", "name": "Night Train", "year": 1951, "genres": ["noir"],
        "maturity_rating": "PG", "runtime_minutes": 88,
    }).json()
    # A genre gives up its name and slug and a new genre takes them: replaying the first
    # genre's older snapshot later must not collide with the second one.
    staff.patch(f"/api/catalog/genres/{genre['id']}/", json={"name": "Film Noir",
                                                             "slug": "film-noir"})
    taker = staff.post("/api/catalog/genres/", json={"name": "Noir", "slug": "noir"})
    assert taker.status_code == 201, taker.text
    renamed = staff.get("/api/catalog/titles/?page_size=1").json()["results"][0]
    staff.patch(f"/api/catalog/titles/{renamed['id']}/", json={"name": "Renamed Title"})
    season = staff.get("/api/catalog/seasons/?page_size=1").json()["results"][0]
    assert staff.delete(f"/api/catalog/seasons/{season['id']}/").status_code == 204
    person = staff.post("/api/catalog/people/", json={"name": "New Person", "slug": "new-person"})
    assert person.status_code == 201
    # A rating changes the title's copied average_rating (ratings domain -> catalog copy).
    viewer = httpx.post(monolith.url + "/api/accounts/token/",
                        data={"username": "demo", "password": "reelbox-demo"}, timeout=30).json()
    rated = httpx.post(monolith.url + "/api/ratings/ratings/", json={"title": title["id"], "score": 5},
                       headers={"authorization": f"Token {viewer['token']}"}, timeout=30)
    assert rated.status_code in (200, 201), rated.text
    staff.close()
    return {"genre": genre, "title": title, "renamed": renamed, "season": season}


CHECKED = [
    "/api/catalog/genres/",
    "/api/catalog/titles/?search=Night",
    "/api/catalog/titles/?genre=noir",
    "/api/catalog/titles/?genre=film-noir",
    "/api/catalog/people/?search=new",
    "/api/catalog/seasons/",
    "/api/catalog/titles/?page_size=100",
]


def assert_in_step(monolith, service, changes) -> None:
    paths = CHECKED + [f"/api/catalog/titles/{changes['title']['id']}/",
                       f"/api/catalog/titles/{changes['renamed']['id']}/",
                       f"/api/catalog/seasons/{changes['season']['id']}/"]
    for path in paths:
        expected, actual = get(monolith.url, path), get(service.url, path)
        assert (actual.status_code, actual.json()) == (expected.status_code, expected.json()), path


def test_crash_mid_sync_then_resume_then_replay(monolith, service, changes):
    assert get(service.url, "/api/catalog/titles/?genre=noir").json()["count"] == 0
    status = service.manage("sync", "--source", monolith.url, "--token", OUTBOX_TOKEN, "--status")
    behind = lag_of(status.stdout)
    assert behind >= 6

    flaky = FlakyForwarder(monolith.url, fail_after=1, path_part="/events/")
    with running(flaky) as front:
        crashed = service.manage("sync", "--source", front.url, "--token", OUTBOX_TOKEN,
                                 "--batch-size", "3", check=False)
    assert crashed.returncode == 1
    assert "rerun to resume" in crashed.stderr
    half = lag_of(service.manage("sync", "--source", monolith.url, "--token", OUTBOX_TOKEN,
                                 "--status").stdout)
    assert half == behind - 3  # exactly the first batch was applied and kept

    resumed = service.manage("sync", "--source", monolith.url, "--token", OUTBOX_TOKEN)
    assert lag_of(resumed.stdout) == 0
    assert "oldest_unapplied_age=-" in resumed.stdout
    assert_in_step(monolith, service, changes)
    night = get(service.url, f"/api/catalog/titles/{changes['title']['id']}/").json()
    assert (night["average_rating"], night["rating_count"]) == ("5.00", 1)

    # Every event once more, duplicates included: the state does not move.
    replay = service.manage("sync", "--source", monolith.url, "--token", OUTBOX_TOKEN,
                            "--from-sequence", "0", "--batch-size", "4")
    assert lag_of(replay.stdout) == 0
    assert_in_step(monolith, service, changes)


def test_status_reports_age_of_the_oldest_unapplied_event(monolith, service, changes):
    staff = {"authorization": f"Token {staff_token(monolith.url)}"}
    httpx.post(monolith.url + "/api/catalog/genres/", json={"name": "Western", "slug": "western"},
               headers=staff, timeout=30).raise_for_status()
    status = service.manage("sync", "--source", monolith.url, "--token", OUTBOX_TOKEN, "--status")
    assert lag_of(status.stdout) >= 1
    assert re.search(r"oldest_unapplied_age=\d+\.\ds", status.stdout), status.stdout
    service.manage("sync", "--source", monolith.url, "--token", OUTBOX_TOKEN)
    assert get(service.url, "/api/catalog/genres/").json() == get(monolith.url, "/api/catalog/genres/").json()
