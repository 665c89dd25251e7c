"""The stage machine of a route: ``monolith -> shadow -> canary (steps) -> service``.

Pure rules, no storage. A :class:`StageSetting` is a stage plus its percent (the canary
share; 0 for ``monolith``/``shadow``, 100 for ``service``) and, for ``service``, whether
the monolith still gets a shadow copy (reverse shadow).

Promotion walks one step: monolith -> shadow -> canary at the first step -> each larger
step -> service. Rollback always goes straight to ``monolith``, from any stage: a rollback
is asked for because the service misbehaves, and the monolith is the only side known to
be good. Stepping down one canary step would keep users on a broken service, and
``shadow`` would keep loading it; once things are understood, promote again (shadow first,
so the fix is compared before users see it).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

DEFAULT_CANARY_STEPS: tuple[int, ...] = (10, 50, 100)


class Stage(StrEnum):
    MONOLITH = "monolith"
    SHADOW = "shadow"
    CANARY = "canary"
    SERVICE = "service"


STAGE_NAMES: tuple[str, ...] = tuple(s.value for s in Stage)


@dataclass(frozen=True, slots=True)
class StageSetting:
    stage: Stage
    percent: int = 0
    reverse_shadow: bool = False

    def __str__(self) -> str:
        if self.stage is Stage.CANARY:
            return f"canary {self.percent}%"
        if self.stage is Stage.SERVICE and self.reverse_shadow:
            return "service (reverse shadow)"
        return self.stage.value


def setting(stage: str | Stage, percent: int | None = None,
            reverse_shadow: bool = False) -> StageSetting:
    """Build a valid setting; ``ValueError`` names the problem (see :func:`problems`)."""
    found = problems(str(stage), percent)
    if found:
        raise ValueError("; ".join(found))
    value = Stage(str(stage))
    if value is Stage.CANARY:
        return StageSetting(value, int(percent if percent is not None else 0))
    if value is Stage.SERVICE:
        return StageSetting(value, 100, reverse_shadow)
    return StageSetting(value, 0)


def problems(stage: str, percent: int | None) -> list[str]:
    """What is wrong with a stage/percent pair (empty when valid)."""
    found: list[str] = []
    if stage not in STAGE_NAMES:
        found.append(f"stage must be one of {', '.join(STAGE_NAMES)}, not {stage!r}")
    if percent is not None and (isinstance(percent, bool) or not isinstance(percent, int)
                                or not 0 <= percent <= 100):
        found.append(f"percent must be an integer from 0 to 100, not {percent!r}")
    elif stage == "canary" and percent is None:
        found.append("a canary needs a percent (0-100)")
    return found


def validate_steps(steps: tuple[int, ...] | list[int]) -> list[str]:
    if not steps:
        return ["canary steps must not be empty"]
    if any(isinstance(s, bool) or not isinstance(s, int) or not 0 < s <= 100 for s in steps):
        return ["canary steps must be integers from 1 to 100"]
    if list(steps) != sorted(set(steps)):
        return ["canary steps must be strictly increasing"]
    return []


def next_stage(current: StageSetting,
               steps: tuple[int, ...] = DEFAULT_CANARY_STEPS) -> StageSetting | None:
    """The setting a promotion moves to, or ``None`` when already fully on the service."""
    if current.stage is Stage.MONOLITH:
        return StageSetting(Stage.SHADOW, 0)
    if current.stage is Stage.SHADOW:
        return StageSetting(Stage.CANARY, steps[0])
    if current.stage is Stage.CANARY:
        larger = [s for s in steps if s > current.percent]
        return StageSetting(Stage.CANARY, larger[0]) if larger else StageSetting(
            Stage.SERVICE, 100)
    return None


def rollback(current: StageSetting) -> StageSetting:
    """Always the monolith; see the module docstring for why."""
    return StageSetting(Stage.MONOLITH, 0)


def service_share(setting_: StageSetting) -> int:
    """Percent of a route's traffic answered by the service."""
    if setting_.stage is Stage.SERVICE:
        return 100
    return setting_.percent if setting_.stage is Stage.CANARY else 0
