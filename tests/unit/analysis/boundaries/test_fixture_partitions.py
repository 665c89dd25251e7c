"""Small projects whose right cut is obvious: the proposal must find it exactly, names
included, and plain Louvain on the reference graph must agree less."""

from pathlib import Path

import pytest

from analysis import AnalysisOptions, analyze
from analysis.boundaries import BoundaryOptions, adjusted_rand_index, mojofm, propose
from analysis.boundaries.baseline import louvain_baseline

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "projects"

# One app, one models module holding three domains (layered by technique).
LAYERED = {
    "catalog": "models:Author models:Book serializers:AuthorSerializer "
    "serializers:BookSerializer services:publish_book views:AuthorViewSet views:BookViewSet",
    "customers": "models:Customer models:Address serializers:AddressSerializer "
    "serializers:CustomerSerializer services:register_customer views:CustomerViewSet",
    "orders": "models:Order models:OrderLine serializers:OrderLineSerializer "
    "serializers:OrderSerializer services:order_history services:place_order views:OrderViewSet",
    "shared": "helpers:clean_text helpers:page_size",
}
# Three apps, a cross-app foreign key, a receiver listening to another app's model and
# writing its own, and helpers every app uses.
LIBRARY = {
    "books": "books.models:Book books.models:Shelf books.views:book_list books.views:shelf_list",
    "members": "members.models:Member members.models:Card members.views:member_list "
    "members.views:issue_card",
    "loans": "loans.models:Loan loans.models:LoanHistory loans.views:open_loans "
    "loans.views:history loans.receivers:close_loans_of_withdrawn_book",
    "shared": "common.text:squash common.text:limit",
}


def _expected(package: str, table: dict[str, str], prefix: str) -> dict[str, str]:
    return {
        f"{package}.{prefix}{member}": service
        for service, members in table.items()
        for member in members.split()
    }


@pytest.mark.parametrize(
    ("name", "table", "prefix"), [("layered", LAYERED, "core."), ("library", LIBRARY, "")]
)
def test_the_obvious_partition_is_found_exactly(name, table, prefix, tmp_path):
    result = analyze(FIXTURES / name, AnalysisOptions(cache_dir=tmp_path, jobs=1))
    expected = _expected(name, table, prefix)
    for seed in (0, 42):
        proposal = propose(result.graph, result.models, result.urls, BoundaryOptions(seed=seed))
        assert proposal.assignment == expected
    baseline = louvain_baseline(result.graph, seed=0)
    assert mojofm(baseline, expected) < 100.0
    assert adjusted_rand_index(baseline, expected) < 0.9


def test_url_prefixes_follow_the_views(tmp_path):
    result = analyze(FIXTURES / "library", AnalysisOptions(cache_dir=tmp_path, jobs=1))
    proposal = propose(result.graph, result.models, result.urls, BoundaryOptions())
    prefixes = {s.name: s.url_prefixes for s in proposal.services}
    assert prefixes["loans"] == ("/api/loans/",)
    assert prefixes["members"] == ("/api/members/",)
    assert prefixes["books"] == ("/api/books/",)  # shelves/ lies inside books/
    tables = {s.name: s.tables for s in proposal.services}
    assert tables["loans"] == ("loans_loan", "loans_loanhistory")
