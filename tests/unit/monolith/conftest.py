"""Fixtures for the Reelbox monolith tests: a small real catalog, users, plans, API clients."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from monolith.core.models import (
    Credit,
    Episode,
    Genre,
    Person,
    Plan,
    Season,
    Subscription,
    Title,
    User,
)


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def plans(db) -> dict[str, Plan]:
    return {
        "basic": Plan.objects.create(
            code="basic", name="Basic", tier=1, price_cents=799, max_streams=1
        ),
        "premium": Plan.objects.create(
            code="premium", name="Premium", tier=3, price_cents=1799, max_streams=2
        ),
        "trial": Plan.objects.create(
            code="trial", name="Trial", tier=1, price_cents=0, trial_days=7
        ),
    }


@pytest.fixture
def catalog(db) -> dict:
    drama = Genre.objects.create(name="Drama", slug="drama")
    comedy = Genre.objects.create(name="Comedy", slug="comedy")
    movie = Title.objects.create(
        kind="movie",
        name="Alpha River",
        slug="alpha-river",
        year=2001,
        runtime_minutes=100,
        synopsis="A river story.",
    )
    movie.genres.add(drama)
    series = Title.objects.create(
        kind="series", name="Beta Kingdom", slug="beta-kingdom", year=2010
    )
    series.genres.add(drama, comedy)
    premium = Title.objects.create(
        kind="movie",
        name="Gamma Premium",
        slug="gamma-premium",
        year=2010,
        runtime_minutes=90,
        min_plan_tier=3,
    )
    premium.genres.add(comedy)
    hidden = Title.objects.create(
        kind="movie", name="Hidden Draft", slug="hidden-draft", year=2001, is_published=False
    )
    season = Season.objects.create(title=series, number=1, name="One")
    episodes = [
        Episode.objects.create(season=season, number=n, name=f"Ep {n}", runtime_minutes=30)
        for n in (1, 2)
    ]
    person = Person.objects.create(name="Ana Alves", slug="ana-alves")
    Credit.objects.create(person=person, title=movie, role="director")
    return {
        "drama": drama,
        "comedy": comedy,
        "movie": movie,
        "series": series,
        "premium": premium,
        "hidden": hidden,
        "season": season,
        "episodes": episodes,
        "person": person,
    }


def make_user(
    username: str, *, staff: bool = False, plan: Plan | None = None, days_left: int = 30
) -> User:
    """A user (its default profile comes from the accounts signal), optionally subscribed."""
    user = User.objects.create_user(
        username=username, email=f"{username}@example.com", password="pw-12345678", is_staff=staff
    )
    if plan is not None:
        now = timezone.now()
        Subscription.objects.create(
            user=user,
            plan=plan,
            status=Subscription.ACTIVE,
            started_at=now - timedelta(days=1),
            current_period_end=now + timedelta(days=days_left),
        )
    return user


@pytest.fixture
def viewer(plans) -> User:
    return make_user("viewer", plan=plans["basic"])


@pytest.fixture
def viewer_api(viewer) -> APIClient:
    client = APIClient()
    client.force_authenticate(viewer)
    return client


@pytest.fixture
def staff_api(db) -> APIClient:
    client = APIClient()
    client.force_authenticate(make_user("boss", staff=True))
    return client
