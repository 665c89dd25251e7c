"""A service's proxy prefixes widen to the whole URL subtree it owns, and no further."""

from __future__ import annotations

from analysis.boundaries.propose import collapse_prefixes

CATALOG = ["/api/catalog/titles/", "/api/catalog/titles/<int:pk>/", "/api/catalog/genres/"]
BILLING = ["/api/billing/plans/", "/api/billing/invoices/<int:pk>/"]


def test_viewsets_under_one_owner_collapse_to_their_common_prefix() -> None:
    assert collapse_prefixes(CATALOG, CATALOG + BILLING) == ("/api/catalog/",)


def test_a_subtree_shared_with_another_service_is_not_taken() -> None:
    shared = [*CATALOG, "/api/catalog/prices/"]
    prefixes = collapse_prefixes(CATALOG, shared + BILLING)
    assert prefixes == ("/api/catalog/genres/", "/api/catalog/titles/")


def test_the_root_and_single_segment_paths_stay_as_they_are() -> None:
    own = ["/browse/", "/healthz"]
    assert collapse_prefixes(own, own + BILLING) == ("/browse/", "/healthz")


def test_a_prefix_already_covered_by_another_is_dropped() -> None:
    own = ["/api/outbox/events/", "/api/outbox/export/<str:aggregate>/"]
    assert collapse_prefixes(own, own + CATALOG) == ("/api/outbox/",)
