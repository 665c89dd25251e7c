"""The anti-corruption catalog client: the ORM and HTTP backends answer alike.

The HTTP backend runs against the real extracted service (a subprocess on 127.0.0.1:0,
backfilled from a monolith process seeded ``small``); the ORM backend reads this process's
test database seeded the same way (the seed's primary keys are fixed), so both must return
equal values.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import override_settings

from monolith.catalog_client import CatalogUnavailable, TitleInfo, get_catalog
from monolith.catalog_client.http import HttpCatalog
from monolith.catalog_client.orm import OrmCatalog
from monolith.core.models import Title
from tests.support.catalog_service import (
    OUTBOX_TOKEN,
    UNPUBLISHED,
    Process,
    catalog_service,
    copy_db,
    monolith_process,
    seeded_monolith_db,
)
from tests.support.flaky import FlakyForwarder
from tests.support.servers import reserve_port, running

# --------------------------------------------------------------------------- ORM backend


def test_orm_backend_returns_values_not_models(catalog):
    reader = OrmCatalog()
    movie = reader.get_title(catalog["movie"].pk)
    assert movie == TitleInfo(
        id=catalog["movie"].pk, kind="movie", name="Alpha River", slug="alpha-river", year=2001,
        maturity_rating="PG-13", runtime_minutes=100, genres=("drama",), min_plan_tier=1,
        average_rating=None, rating_count=0,
    )
    with pytest.raises(AttributeError):
        movie.name = "changed"  # frozen
    assert reader.get_title(catalog["hidden"].pk) is None
    assert reader.get_title(999_999) is None
    assert set(reader.get_titles([catalog["movie"].pk, catalog["hidden"].pk, 999_999])) == {
        catalog["movie"].pk
    }
    assert [t.slug for t in reader.list_titles(genre="comedy")] == ["beta-kingdom", "gamma-premium"]
    assert [t.slug for t in reader.list_titles(kind="series")] == ["beta-kingdom"]
    assert reader.get_title(catalog["series"].pk).genres == ("comedy", "drama")
    episode = reader.get_episode(catalog["episodes"][1].pk)
    assert (episode.number, episode.runtime_minutes, episode.season) == (2, 30, catalog["season"].pk)
    assert reader.get_episode(999_999) is None
    assert [g.slug for g in reader.list_genres()] == ["comedy", "drama"]


def test_the_setting_chooses_the_backend(db):
    assert isinstance(get_catalog(), OrmCatalog)
    with override_settings(REELBOX_CATALOG_BACKEND="http", REELBOX_CATALOG_URL="http://127.0.0.1:9"):
        reader = get_catalog()
        assert isinstance(reader, HttpCatalog)
        reader.close()
    with override_settings(REELBOX_CATALOG_BACKEND="grpc"), pytest.raises(ValueError, match="orm"):
        get_catalog()


# --------------------------------------------------------------------------- HTTP backend


@pytest.fixture(scope="module")
def monolith(tmp_path_factory) -> Iterator[Process]:
    with monolith_process(copy_db(seeded_monolith_db(tmp_path_factory),
                                  tmp_path_factory.mktemp("monolith"))) as server:
        yield server


@pytest.fixture(scope="module")
def service(tmp_path_factory, monolith) -> Iterator[Process]:
    with catalog_service(tmp_path_factory.mktemp("catalog") / "catalog.sqlite3") as server:
        server.manage("backfill", "--source", monolith.url, "--token", OUTBOX_TOKEN)
        yield server


@pytest.fixture
def http_reader(service) -> Iterator[HttpCatalog]:
    reader = HttpCatalog(service.url, timeout=10)
    yield reader
    reader.close()


@pytest.fixture
def seeded_orm(db) -> OrmCatalog:
    call_command("seed", "--size", "small", verbosity=0)
    Title.objects.filter(pk__in=UNPUBLISHED).update(is_published=False)
    return OrmCatalog()


def test_http_and_orm_backends_answer_alike(http_reader, seeded_orm):
    ids = list(Title.objects.order_by("pk").values_list("pk", flat=True))
    hidden = list(Title.objects.filter(is_published=False).values_list("pk", flat=True))
    assert sorted(hidden) == list(UNPUBLISHED)
    for title_id in ids[:12] + hidden:
        assert http_reader.get_title(title_id) == seeded_orm.get_title(title_id), title_id
    assert http_reader.get_titles(ids) == seeded_orm.get_titles(ids)
    assert http_reader.list_titles() == seeded_orm.list_titles()
    assert http_reader.list_titles(limit=5) == seeded_orm.list_titles(limit=5)
    genre = seeded_orm.list_genres()[0].slug
    assert http_reader.list_titles(genre=genre, kind="movie") == seeded_orm.list_titles(
        genre=genre, kind="movie"
    )
    assert http_reader.list_genres() == seeded_orm.list_genres()
    for episode_id in (1, 2, 999_999):
        assert http_reader.get_episode(episode_id) == seeded_orm.get_episode(episode_id)
    rated = [t for t in seeded_orm.list_titles() if t.average_rating is not None]
    assert rated and isinstance(http_reader.get_title(rated[0].id).average_rating, Decimal)


def test_http_backend_retries_idempotent_reads(service):
    flaky = FlakyForwarder(service.url, fail_first=2, path_part="/titles/")
    with running(flaky) as front:
        reader = HttpCatalog(front.url, timeout=10, retries=2)
        assert reader.list_titles(limit=3)
        reader.close()
        assert sum("/titles/" in path for path in flaky.seen) == 3
        flaky._matched, flaky.fail_first = 0, 5
        failing = HttpCatalog(front.url, timeout=10, retries=1)
        with pytest.raises(CatalogUnavailable, match="2 attempts: HTTP 500"):
            failing.get_title(1)
        failing.close()


def test_http_backend_reports_a_down_service():
    sock = reserve_port()
    try:
        reader = HttpCatalog(f"http://127.0.0.1:{sock.getsockname()[1]}", timeout=1, retries=1)
        with pytest.raises(CatalogUnavailable, match="ConnectError"):
            reader.get_title(1)
        reader.close()
    finally:
        sock.close()
