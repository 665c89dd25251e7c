"""Reference data: billing plans, genres, people, titles with seasons, episodes and credits."""

import random

from django.utils.text import slugify

from monolith.core.models import Credit, Episode, Genre, Person, Plan, Season, Title
from monolith.core.seeding.base import FIRST, GENRES, LAST, PLANS, WORDS_A, WORDS_B, SeedData, at


def build_billing_plans(data: SeedData) -> None:
    for pk, (code, name, tier, price, streams, trial) in enumerate(PLANS, start=1):
        data.add(
            Plan(
                pk=pk,
                code=code,
                name=name,
                tier=tier,
                price_cents=price,
                max_streams=streams,
                trial_days=trial,
            )
        )


def build_catalog(data: SeedData, rng: random.Random, n_titles: int, n_people: int) -> None:
    for pk, name in enumerate(GENRES, start=1):
        data.add(Genre(pk=pk, name=name, slug=slugify(name)))
    for pk in range(1, n_people + 1):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        data.add(Person(pk=pk, name=name, slug=f"{slugify(name)}-{pk}"))
    through = Title.genres.through
    genre_links = data.m2m.setdefault(through, [])
    season_pk = episode_pk = credit_pk = 0
    for pk in range(1, n_titles + 1):
        name = f"The {rng.choice(WORDS_A)} {rng.choice(WORDS_B)}"
        kind = Title.SERIES if rng.random() < 0.3 else Title.MOVIE
        data.add(
            Title(
                pk=pk,
                kind=kind,
                name=name,
                slug=f"{slugify(name)}-{pk}",
                year=rng.randint(1960, 2024),
                synopsis=f"{name}: a story of {rng.choice(WORDS_B).lower()}"
                f" and {rng.choice(WORDS_B).lower()}.",
                maturity_rating=rng.choice(["G", "PG", "PG-13", "R"]),
                runtime_minutes=None if kind == Title.SERIES else rng.randint(80, 160),
                min_plan_tier=3 if rng.random() < 0.1 else 1,
                created_at=at(-rng.randint(0, 900)),
            )
        )
        for genre_id in sorted(rng.sample(range(1, len(GENRES) + 1), rng.randint(1, 3))):
            genre_links.append(through(pk=len(genre_links) + 1, title_id=pk, genre_id=genre_id))
        if kind == Title.SERIES:
            for number in range(1, rng.randint(1, 3) + 1):
                season_pk += 1
                data.add(Season(pk=season_pk, title_id=pk, number=number, name=f"Season {number}"))
                for ep in range(1, rng.randint(3, 8) + 1):
                    episode_pk += 1
                    data.add(
                        Episode(
                            pk=episode_pk,
                            season_id=season_pk,
                            number=ep,
                            name=f"Chapter {ep}",
                            runtime_minutes=rng.randint(25, 60),
                        )
                    )
        for order, person_id in enumerate(rng.sample(range(1, n_people + 1), min(4, n_people))):
            credit_pk += 1
            role = "director" if order == 0 else "actor"
            data.add(
                Credit(
                    pk=credit_pk,
                    person_id=person_id,
                    title_id=pk,
                    role=role,
                    billing_order=order,
                    character="" if role == "director" else f"{rng.choice(FIRST)}",
                )
            )
