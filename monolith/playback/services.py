"""Starting and stopping streams; the subscription check reads billing tables directly."""

from django.utils import timezone
from rest_framework import status
from rest_framework.exceptions import APIException

from monolith.core.models import Episode, Profile, Subscription, Title, User
from monolith.playback.models import PlaybackPosition, ViewingSession


class SubscriptionRequired(APIException):
    status_code = status.HTTP_402_PAYMENT_REQUIRED
    default_detail = "An active subscription is required to start playback."
    default_code = "subscription_required"


class StreamLimitReached(APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = (
        "Your plan's limit of simultaneous streams is reached; stop another stream first."
    )
    default_code = "stream_limit"


def start_session(
    user: User, profile: Profile, title: Title, episode: Episode | None, device: str
) -> ViewingSession:
    """Open a viewing session if the user's plan allows it (tier and concurrent streams)."""
    now = timezone.now()
    playable = Subscription.objects.filter(user=user, status__in=Subscription.PLAYABLE)
    subscription = (
        playable.filter(current_period_end__gt=now)
        .select_related("plan")
        .order_by("-plan__tier", "pk")
        .first()
    )
    if subscription is None:
        raise SubscriptionRequired()
    if subscription.plan.tier < title.min_plan_tier:
        raise SubscriptionRequired(
            f"'{title.name}' needs a higher plan than {subscription.plan.name}."
        )
    open_streams = ViewingSession.objects.filter(user=user, ended_at__isnull=True).count()
    if open_streams >= subscription.plan.max_streams:
        raise StreamLimitReached()
    return ViewingSession.objects.create(
        user=user, profile=profile, title=title, episode=episode, device=device, started_at=now
    )


def stop_session(session: ViewingSession, position_seconds: int) -> ViewingSession:
    """Close the session and remember the position for continue-watching."""
    session.ended_at = timezone.now()
    session.position_seconds = position_seconds
    session.save(update_fields=["ended_at", "position_seconds"])
    record_position(session.profile, session.title, session.episode, position_seconds)
    return session


def record_position(
    profile: Profile, title: Title, episode: Episode | None, position_seconds: int
) -> PlaybackPosition:
    runtime = episode.runtime_minutes if episode is not None else (title.runtime_minutes or 90)
    position, _ = PlaybackPosition.objects.update_or_create(
        profile=profile,
        title=title,
        defaults={
            "episode": episode,
            "position_seconds": position_seconds,
            "duration_seconds": runtime * 60,
            "updated_at": timezone.now(),
        },
    )
    return position
