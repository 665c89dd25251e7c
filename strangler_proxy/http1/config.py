"""Configuration values for the upstream client: frozen, keyword-only, with named defaults."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DEFAULT_IDLE_TIMEOUT",
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_MAX_IDLE_CONNECTIONS",
    "DEFAULT_TIMEOUTS",
    "HIGH_WATER",
    "LOW_WATER",
    "Timeouts",
]

# Unread response bytes above HIGH_WATER pause the socket; reading resumes at LOW_WATER. One
# read may overshoot by up to one recv() (256 KiB in asyncio and uvloop) before the pause lands.
HIGH_WATER = 256 * 1024
LOW_WATER = 64 * 1024

DEFAULT_MAX_CONNECTIONS = 100
DEFAULT_MAX_IDLE_CONNECTIONS = 32
DEFAULT_IDLE_TIMEOUT = 30.0


@dataclass(frozen=True, kw_only=True, slots=True)
class Timeouts:
    """Seconds to wait for each step; ``None`` waits forever.

    ``read`` bounds the silence between received bytes (the head, then every body chunk), not
    the whole response, so a long stream that keeps moving never times out. ``write`` bounds a
    stalled request-body upload; ``pool`` the wait for a free connection slot.
    """

    connect: float | None = 5.0
    read: float | None = 30.0
    write: float | None = 30.0
    pool: float | None = 5.0


DEFAULT_TIMEOUTS = Timeouts()
