"""Deterministic demo data for every app: the same size always gives the same rows.

Rows get explicit primary keys and fixed timestamps (never ``now()``) and come from a
``random.Random`` seeded with the size name, so two databases seeded alike answer the
same API calls byte for byte (the proxy's shadow comparison relies on it).
"""

import random

from monolith.core.seeding.accounts import build_accounts
from monolith.core.seeding.activity import build_activity
from monolith.core.seeding.base import DEMO_PASSWORD, DEMO_USERNAME, SIZES, STAFF_USERNAME, SeedData
from monolith.core.seeding.catalog import build_billing_plans, build_catalog

__all__ = ["DEMO_PASSWORD", "DEMO_USERNAME", "SIZES", "STAFF_USERNAME", "SeedData", "build"]


def build(size: str) -> SeedData:
    """Generate (without touching the database) the rows for ``size``."""
    n_users, n_titles, n_people = SIZES[size]
    rng = random.Random(f"reelbox-seed-{size}")
    data = SeedData()
    build_billing_plans(data)
    build_catalog(data, rng, n_titles, n_people)
    build_accounts(data, rng, n_users)
    build_activity(data, rng)
    return data
