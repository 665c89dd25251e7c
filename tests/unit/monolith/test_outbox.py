"""The catalog outbox: an event per change, in the change's transaction; its read API."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.test import override_settings

from monolith.core.models import Credit, Episode, Genre, Person, Title
from monolith.outbox.models import OutboxEvent
from monolith.ratings.models import Rating
from tests.unit.monolith.conftest import make_user

TOKEN = "outbox-test-token-0123456789"


def events_after(sequence: int) -> list[tuple[str, int, str]]:
    return [
        (e.aggregate, e.aggregate_id, e.op)
        for e in OutboxEvent.objects.filter(sequence__gt=sequence).order_by("sequence")
    ]


def newest() -> int:
    last = OutboxEvent.objects.order_by("-sequence").first()
    return 0 if last is None else last.sequence


def test_catalog_rows_write_full_snapshots(catalog):
    movie = catalog["movie"]
    event = OutboxEvent.objects.filter(aggregate="title", aggregate_id=movie.pk).last()
    # The last event of the movie is the genres add, so the snapshot holds its genre.
    assert event.op == "upsert"
    assert event.payload["genres"] == [catalog["drama"].pk]
    assert event.payload["slug"] == "alpha-river"
    assert event.payload["is_published"] is True
    assert event.payload["average_rating"] is None
    credit = OutboxEvent.objects.filter(aggregate="credit").last()
    assert credit.payload["person_id"] == catalog["person"].pk
    assert {e.aggregate for e in OutboxEvent.objects.all()} == {
        "genre", "title", "season", "episode", "person", "credit"
    }


def test_update_and_delete_are_events_in_order(catalog):
    start = newest()
    genre = catalog["comedy"]
    genre.name = "Comedies"
    genre.save()
    series_pk = catalog["series"].pk
    catalog["series"].delete()
    got = events_after(start)
    assert got[0] == ("genre", genre.pk, "upsert")
    season, episodes = catalog["season"], catalog["episodes"]
    deleted = {(a, i) for a, i, op in got if op == "delete"}
    assert ("title", series_pk) in deleted
    assert ("season", season.pk) in deleted
    assert {("episode", e.pk) for e in episodes} <= deleted
    # The title's delete comes after its children's.
    positions = {key: n for n, key in enumerate((a, i) for a, i, op in got if op == "delete")}
    assert positions[("title", series_pk)] > positions[("season", season.pk)]


def test_reverse_genre_changes_re_emit_the_titles(catalog):
    start = newest()
    catalog["comedy"].titles.add(catalog["movie"])
    added = OutboxEvent.objects.filter(sequence__gt=start).get()
    assert (added.aggregate, added.aggregate_id) == ("title", catalog["movie"].pk)
    assert catalog["comedy"].pk in added.payload["genres"]
    start = newest()
    catalog["comedy"].titles.clear()
    cleared = {e.aggregate_id: e.payload["genres"] for e in OutboxEvent.objects.filter(sequence__gt=start)}
    assert set(cleared) == {catalog["movie"].pk, catalog["series"].pk, catalog["premium"].pk}
    assert all(catalog["comedy"].pk not in genres for genres in cleared.values())


def test_a_rolled_back_change_leaves_no_event(catalog):
    start = newest()
    with pytest.raises(RuntimeError), transaction.atomic():
        Genre.objects.create(name="Noir", slug="noir")
        raise RuntimeError("the request failed after the write")
    assert events_after(start) == []
    assert not Genre.objects.filter(slug="noir").exists()


def test_a_rating_re_emits_its_title_with_the_new_average(catalog):
    user = make_user("rater")
    start = newest()
    Rating.objects.create(user=user, title=catalog["movie"], score=4)
    event = OutboxEvent.objects.filter(sequence__gt=start, aggregate="title").get()
    assert event.payload["average_rating"] == "4.00"
    assert event.payload["rating_count"] == 1
    assert Title.objects.get(pk=catalog["movie"].pk).average_rating == Decimal("4.00")


def test_non_catalog_saves_write_nothing(catalog):
    start = newest()
    make_user("someone")
    assert events_after(start) == []


@override_settings(REELBOX_OUTBOX_TOKEN=TOKEN)
def test_events_api_pages_by_sequence_with_the_token(api, catalog):
    first = api.get("/api/outbox/events/?limit=3", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert first.status_code == 200
    body = first.json()
    assert len(body["events"]) == 3
    assert body["newest_sequence"] == newest()
    assert body["oldest_unread_at"] is not None
    after = body["events"][-1]["sequence"]
    second = api.get(f"/api/outbox/events/?after={after}&limit=1000",
                     HTTP_AUTHORIZATION=f"Bearer {TOKEN}").json()
    sequences = [e["sequence"] for e in body["events"] + second["events"]]
    assert sequences == sorted(sequences) == list(
        OutboxEvent.objects.order_by("sequence").values_list("sequence", flat=True)
    )
    done = api.get(f"/api/outbox/events/?after={newest()}", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert done.json()["events"] == [] and done.json()["oldest_unread_at"] is None


@override_settings(REELBOX_OUTBOX_TOKEN=TOKEN)
@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", f"Token {TOKEN}", "Bearer "])
def test_events_api_refuses_without_the_token(api, catalog, authorization):
    extra = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    assert api.get("/api/outbox/events/", **extra).status_code in (401, 403)


def test_no_configured_token_means_staff_only(api, staff_api, viewer_api, catalog):
    assert api.get("/api/outbox/events/", HTTP_AUTHORIZATION="Bearer ").status_code in (401, 403)
    assert viewer_api.get("/api/outbox/events/").status_code == 403
    assert staff_api.get("/api/outbox/events/").status_code == 200


def test_bad_after_is_a_400_naming_the_parameter(staff_api, catalog):
    answer = staff_api.get("/api/outbox/events/?after=x")
    assert answer.status_code == 400
    assert answer.json() == {"after": ["A valid integer is required."]}


def test_export_pages_by_id_and_includes_unpublished_titles(staff_api, catalog):
    first = staff_api.get("/api/outbox/export/title/?limit=2").json()
    assert first["has_more"] is True
    ids = [row["id"] for row in first["rows"]]
    rest = staff_api.get(f"/api/outbox/export/title/?after_id={ids[-1]}&limit=100").json()
    assert rest["has_more"] is False
    ids += [row["id"] for row in rest["rows"]]
    assert ids == sorted(Title.objects.values_list("pk", flat=True))
    hidden = next(r for r in first["rows"] + rest["rows"] if r["id"] == catalog["hidden"].pk)
    assert hidden["is_published"] is False
    assert staff_api.get("/api/outbox/export/plan/").status_code == 404


def test_export_covers_every_aggregate(staff_api, catalog):
    counts = {
        name: len(staff_api.get(f"/api/outbox/export/{name}/").json()["rows"])
        for name in ("genre", "person", "title", "season", "episode", "credit")
    }
    assert counts == {
        "genre": Genre.objects.count(), "person": Person.objects.count(),
        "title": Title.objects.count(), "season": 1, "episode": Episode.objects.count(),
        "credit": Credit.objects.count(),
    }
