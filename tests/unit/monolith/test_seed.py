"""``manage.py seed``: deterministic, idempotent, consistent across domains."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError

from monolith.core.management.commands.seed import INSERT_ORDER
from monolith.core.models import Invoice, Title, User
from monolith.notifications.models import EmailMessage
from monolith.ratings.models import Rating

pytestmark = pytest.mark.django_db


def snapshot() -> dict[str, list[tuple]]:
    return {
        model._meta.label: list(model.objects.order_by("pk").values_list())
        for model in INSERT_ORDER
    }


def seed(size: str = "small") -> str:
    out = StringIO()
    call_command("seed", "--size", size, stdout=out)
    return out.getvalue()


def test_seed_twice_gives_identical_rows_and_wipes_strays(plans):
    output = seed()
    first = snapshot()
    User.objects.create_user("stray", password="x")  # also queues a welcome e-mail
    Title.objects.filter(pk=1).update(name="Changed")
    seed()
    assert snapshot() == first
    assert not User.objects.filter(username="stray").exists()
    assert EmailMessage.objects.count() == 0
    assert "Seeded 'small': 12 users, 40 titles" in output
    assert "demo / reelbox-demo" in output


def test_seeded_rows_are_consistent_across_domains():
    seed()
    assert authenticate(username="demo", password="reelbox-demo") is not None
    assert User.objects.get(username="staff").is_staff
    assert authenticate(username="viewer00003", password="") is None
    for title in Title.objects.filter(rating_count__gt=0)[:10]:
        scores = list(Rating.objects.filter(title=title).values_list("score", flat=True))
        assert title.rating_count == len(scores)
        assert float(title.average_rating) == pytest.approx(sum(scores) / len(scores), abs=0.005)
    numbers = list(Invoice.objects.order_by("pk").values_list("number", flat=True))
    assert numbers == [f"INV-{n:06d}" for n in range(1, len(numbers) + 1)]
    demo = User.objects.get(username="demo")
    assert demo.subscriptions.get().is_playable()


def test_seeded_demo_user_can_start_playback(api):
    seed()
    api.force_authenticate(User.objects.get(username="demo"))
    profile = api.get("/api/accounts/profiles/").json()["results"][0]["id"]
    response = api.post("/api/playback/sessions/", {"profile": profile, "title": 1}, format="json")
    assert response.status_code == 201


def test_unknown_size_is_rejected():
    with pytest.raises(CommandError, match="invalid choice: 'huge'"):
        call_command("seed", "--size", "huge")
