"""What seeded users did: subscriptions, invoices, payments, ratings, viewing, tastes."""

import random
from datetime import timedelta
from decimal import Decimal

from monolith.core.models import (
    Episode,
    Invoice,
    Payment,
    Plan,
    Profile,
    Season,
    Subscription,
    Title,
    User,
)
from monolith.core.seeding.base import (
    DEMO_USERNAME,
    FAR_FUTURE,
    GENRES,
    STAFF_USERNAME,
    WORDS_A,
    SeedData,
    at,
)
from monolith.core.utils import make_reference, period_after
from monolith.playback.models import PlaybackPosition, ViewingSession
from monolith.ratings.models import Rating, Review
from monolith.recommendations.models import TasteProfile


def build_activity(data: SeedData, rng: random.Random) -> None:
    """Subscriptions, invoices, payments, ratings, reviews, viewing history and tastes."""
    titles = data.rows[Title]
    plans = data.rows[Plan]
    profiles_by_user: dict[int, list[Profile]] = {}
    for profile in data.rows[Profile]:
        profiles_by_user.setdefault(profile.user_id, []).append(profile)
    episodes_by_title: dict[int, list[Episode]] = {}
    seasons = {s.pk: s for s in data.rows.get(Season, [])}
    for episode in data.rows.get(Episode, []):
        episodes_by_title.setdefault(seasons[episode.season_id].title_id, []).append(episode)
    scores: dict[int, list[int]] = {}
    taste_links = data.m2m.setdefault(TasteProfile.favourite_genres.through, [])
    for user in data.rows[User]:
        plan = plans[2] if user.username == DEMO_USERNAME else rng.choice(plans)
        lapsed = user.username not in (DEMO_USERNAME, STAFF_USERNAME) and rng.random() < 0.2
        start = at(-rng.randint(40, 400))
        sub = Subscription(
            pk=user.pk,
            user_id=user.pk,
            plan_id=plan.pk,
            started_at=start,
            status=Subscription.EXPIRED if lapsed else Subscription.ACTIVE,
            current_period_end=period_after(at(-5)) if lapsed else FAR_FUTURE,
        )
        data.add(sub)
        for month in range(rng.randint(1, 3)):
            number = data.count(Invoice) + 1
            issued = start + timedelta(days=30 * month)
            invoice = Invoice(
                pk=number,
                number=f"INV-{number:06d}",
                user_id=user.pk,
                subscription_id=sub.pk,
                amount_cents=plan.price_cents,
                status=Invoice.PAID,
                issued_at=issued,
                period_start=issued,
                period_end=period_after(issued),
            )
            data.add(invoice)
            data.add(
                Payment(
                    pk=number,
                    invoice_id=number,
                    user_id=user.pk,
                    amount_cents=plan.price_cents,
                    method=rng.choice(["card", "paypal"]),
                    status=Payment.SUCCEEDED,
                    created_at=issued,
                    reference=make_reference("PAY", invoice.number, user.pk, issued.isoformat()),
                )
            )
        rated = rng.sample(titles, min(len(titles), rng.randint(3, 25)))
        for title in rated:
            score = rng.randint(1, 5)
            scores.setdefault(title.pk, []).append(score)
            rating = Rating(
                pk=data.count(Rating) + 1,
                user_id=user.pk,
                title_id=title.pk,
                score=score,
                created_at=at(-rng.randint(0, 300)),
            )
            data.add(rating)
            if rng.random() < 0.15:
                data.add(
                    Review(
                        pk=data.count(Review) + 1,
                        user_id=user.pk,
                        title_id=title.pk,
                        rating=rating,
                        headline=f"{score} stars for {title.name}",
                        body=f"{rng.choice(WORDS_A)} and "
                        f"{rng.choice(WORDS_A).lower()}; "
                        f"{'worth it' if score >= 3 else 'skip it'}.",
                        contains_spoilers=rng.random() < 0.1,
                        created_at=rating.created_at,
                    )
                )
        for profile in profiles_by_user[user.pk]:
            for title in rng.sample(titles, min(len(titles), rng.randint(0, 5))):
                episode = (
                    rng.choice(episodes_by_title[title.pk])
                    if title.pk in episodes_by_title
                    else None
                )
                runtime = (episode.runtime_minutes if episode else title.runtime_minutes) * 60
                position = rng.randint(60, runtime)
                started = at(-rng.randint(0, 60)) + timedelta(minutes=rng.randint(0, 1440))
                data.add(
                    ViewingSession(
                        pk=data.count(ViewingSession) + 1,
                        user_id=user.pk,
                        profile_id=profile.pk,
                        title_id=title.pk,
                        episode=episode,
                        device=rng.choice(["web", "tv", "ios", "android"]),
                        started_at=started,
                        ended_at=started + timedelta(seconds=position),
                        position_seconds=position,
                    )
                )
                data.add(
                    PlaybackPosition(
                        pk=data.count(PlaybackPosition) + 1,
                        profile_id=profile.pk,
                        title_id=title.pk,
                        episode=episode,
                        position_seconds=position,
                        duration_seconds=runtime,
                        updated_at=started + timedelta(seconds=position),
                    )
                )
        if rng.random() < 0.5:
            data.add(TasteProfile(pk=user.pk, user_id=user.pk, updated_at=at(-10)))
            for genre_id in sorted(rng.sample(range(1, len(GENRES) + 1), 3)):
                taste_links.append(
                    TasteProfile.favourite_genres.through(
                        pk=len(taste_links) + 1, tasteprofile_id=user.pk, genre_id=genre_id
                    )
                )
    for title in titles:
        marks = scores.get(title.pk, [])
        title.rating_count = len(marks)
        title.average_rating = (
            (Decimal(sum(marks)) / len(marks)).quantize(Decimal("0.01")) if marks else None
        )
