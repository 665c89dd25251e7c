"""What the catalog hands to other domains: plain frozen values in the API's vocabulary."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, slots=True, kw_only=True)
class GenreInfo:
    id: int
    name: str
    slug: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TitleInfo:
    """A published title as ``/api/catalog/titles/`` lists it (genres as slugs)."""

    id: int
    kind: str
    name: str
    slug: str
    year: int
    maturity_rating: str
    runtime_minutes: int | None
    genres: tuple[str, ...]
    min_plan_tier: int
    average_rating: Decimal | None
    rating_count: int

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> "TitleInfo":
        average = data["average_rating"]
        return cls(
            id=int(data["id"]),
            kind=data["kind"],
            name=data["name"],
            slug=data["slug"],
            year=int(data["year"]),
            maturity_rating=data["maturity_rating"],
            runtime_minutes=data["runtime_minutes"],
            genres=tuple(data["genres"]),
            min_plan_tier=int(data["min_plan_tier"]),
            average_rating=None if average is None else Decimal(average),
            rating_count=int(data["rating_count"]),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class EpisodeInfo:
    id: int
    season: int
    number: int
    name: str
    runtime_minutes: int

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> "EpisodeInfo":
        return cls(
            id=int(data["id"]),
            season=int(data["season"]),
            number=int(data["number"]),
            name=data["name"],
            runtime_minutes=int(data["runtime_minutes"]),
        )
