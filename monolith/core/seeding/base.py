"""Constants and the in-memory row store shared by the seed builders."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

SIZES = {  # users, titles, people
    "small": (10, 40, 60),
    "medium": (400, 3000, 1500),
    "large": (2000, 15000, 6000),
}
DEMO_USERNAME = "demo"
STAFF_USERNAME = "staff"
DEMO_PASSWORD = "reelbox-demo"
BASE_TIME = datetime(2025, 1, 1, tzinfo=UTC)
# Seeded subscriptions that should stay playable end here, far enough away for any demo.
FAR_FUTURE = datetime(2035, 1, 1, tzinfo=UTC)
# Never usable for login (Django treats a leading "!" as unusable) and the same every run.
UNUSABLE_PASSWORD = "!seeded-account-no-login"

GENRES = (
    "Action,Animation,Comedy,Crime,Documentary,Drama,Fantasy,Horror,Mystery,Romance,"
    "Science Fiction,Thriller"
).split(",")
WORDS_A = (
    "Silent Broken Last Hidden Golden Midnight Crimson Distant Electric Forgotten Iron Paper "
    "Northern Wild Quiet Burning Glass Lost"
).split()
WORDS_B = (
    "River Empire Signal Harbor Garden Frontier Machine Kingdom Witness Orbit Summer Protocol "
    "Horizon Letters Country Circuit Tide Echo"
).split()
FIRST = (
    "Ana Ben Chloe Dev Elif Femi Greta Hugo Ines Jun Kofi Lena Marco Nadia Omar Priya Quinn "
    "Rosa Sami Tomas Uma Viktor Wen Yara"
).split()
LAST = (
    "Alves Berg Costa Dubois Eze Fischer Garcia Haddad Ito Jensen Kowalski Larsen Moreau "
    "Nakamura Okafor Petrov Rossi Silva Tanaka Weber"
).split()
PLANS = [  # code, name, tier, price, streams, trial days
    ("basic", "Basic", 1, 799, 1, 0),
    ("standard", "Standard", 2, 1299, 2, 7),
    ("premium", "Premium", 3, 1799, 4, 0),
]


@dataclass
class SeedData:
    """Every row to insert, model by model, in insertion order."""

    rows: dict[type, list] = field(default_factory=dict)
    m2m: dict[type, list] = field(default_factory=dict)

    def add(self, obj) -> None:
        self.rows.setdefault(type(obj), []).append(obj)

    def count(self, model: type) -> int:
        return len(self.rows.get(model, []))


def at(days: float) -> datetime:
    return BASE_TIME + timedelta(days=days)
