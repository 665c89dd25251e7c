"""Seeded accounts: the staff and demo users first, then viewers, each with profiles."""

import random

from django.contrib.auth.hashers import make_password

from monolith.core.models import Profile, User
from monolith.core.seeding.base import (
    DEMO_PASSWORD,
    DEMO_USERNAME,
    FIRST,
    LAST,
    STAFF_USERNAME,
    UNUSABLE_PASSWORD,
    SeedData,
    at,
)


def build_accounts(data: SeedData, rng: random.Random, n_users: int) -> None:
    demo_hash = make_password(DEMO_PASSWORD, salt="reelboxseed2025")  # one hash: PBKDF2 is slow
    specials = [(STAFF_USERNAME, True), (DEMO_USERNAME, False)]
    profile_pk = 0
    for pk in range(1, n_users + 3):
        username, is_staff = specials[pk - 1] if pk <= 2 else (f"viewer{pk:05d}", False)
        first = rng.choice(FIRST)
        data.add(
            User(
                pk=pk,
                username=username,
                email=f"{username}@reelbox.example",
                first_name=first,
                last_name=rng.choice(LAST),
                is_staff=is_staff,
                is_superuser=is_staff,
                password=demo_hash if pk <= 2 else UNUSABLE_PASSWORD,
                country=rng.choice(["US", "GB", "DE", "FR", "BR", "JP"]),
                marketing_opt_in=rng.random() < 0.5,
                date_joined=at(-rng.randint(30, 700)),
            )
        )
        names = [first] + (["Kids"] if rng.random() < 0.4 or username == DEMO_USERNAME else [])
        for name in names:
            profile_pk += 1
            data.add(
                Profile(
                    pk=profile_pk, user_id=pk, name=name, is_kids=name == "Kids", created_at=at(-30)
                )
            )
