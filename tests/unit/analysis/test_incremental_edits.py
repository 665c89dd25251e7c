"""Incremental resolution: edits whose effect reaches other modules through names, edits in
a row, reverts, and a journal folded into a new base; each run byte-equal to one from scratch."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from analysis import AnalysisOptions, analyze
from analysis.render import render_json
from analysis.report import build_report
from analysis import incremental
from tests.unit.analysis.helpers import FIXTURES

VIEWS = "catalog/views.py"
SERVICES = "orders/services.py"


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))


def _star_setup(shop: Path) -> None:
    """services gets ``Product`` only through ``from shop.catalog.views import *``."""
    _replace(
        shop / SERVICES,
        "from shop.catalog.models import Product\n",
        "from shop.catalog.views import *\n",
    )


def _rebind_product(shop: Path) -> None:
    # views now binds Product to the Order model: what services' star import resolves to.
    _replace(
        shop / VIEWS,
        "from shop.catalog.models import Product\n",
        "from shop.catalog.models import Product\nfrom shop.orders.models import Order as Product\n",
    )


def _shop(tmp_path: Path, setup: Callable[[Path], None] | None = None) -> Path:
    shop = tmp_path / "shop"
    shutil.copytree(FIXTURES / "shop", shop)
    if setup is not None:
        setup(shop)
    return shop


def _check(shop: Path, cached: AnalysisOptions) -> tuple[str, int]:
    """The cached run's JSON (asserted equal to a run from scratch) and its resolved count."""
    result = analyze(shop, cached)
    text = render_json(build_report(result, "symbol").contract)
    assert text == render_json(
        build_report(analyze(shop, AnalysisOptions(use_cache=False, jobs=1)), "symbol").contract
    )
    return text, result.stats.resolved


def _modules(shop: Path) -> int:
    return len([p for p in shop.rglob("*.py")])


def test_a_star_import_sees_what_the_star_imported_module_rebinds(tmp_path: Path) -> None:
    shop = _shop(tmp_path, _star_setup)
    cached = AnalysisOptions(cache_dir=tmp_path / "cache", jobs=1)
    before, _ = _check(shop, cached)
    _rebind_product(shop)
    after, resolved = _check(shop, cached)
    assert after != before
    # views and the module reading its names through the star import, not the rest.
    assert 2 <= resolved < _modules(shop)
    assert '"target": "shop.orders.models:Order"' in after


def test_edits_in_a_row_then_reverted_match_runs_from_scratch(tmp_path: Path) -> None:
    shop = _shop(tmp_path)
    cached = AnalysisOptions(cache_dir=tmp_path / "cache", jobs=1)
    original, _ = _check(shop, cached)
    views, services = (shop / VIEWS).read_text(), (shop / SERVICES).read_text()
    _rebind_product(shop)
    first, resolved = _check(shop, cached)
    assert 0 < resolved < _modules(shop)
    (shop / SERVICES).write_text("import os.path\n" + services)  # every line moves
    second, resolved = _check(shop, cached)
    assert 0 < resolved < _modules(shop) and second != first
    (shop / SERVICES).write_text("import os.path\n\n" + services)  # the same file again
    third, resolved = _check(shop, cached)
    assert 0 < resolved < _modules(shop) and third != second
    (shop / VIEWS).write_text(views)
    (shop / SERVICES).write_text(services)
    reverted, resolved = _check(shop, cached)
    assert reverted == original and 0 < resolved < _modules(shop)
    warm, resolved = _check(shop, cached)  # the journal applied to the base, nothing resolved
    assert (warm, resolved) == (original, 0)


def test_a_journal_past_its_limit_becomes_the_new_base(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(incremental, "MAX_RECORDS", 0)
    shop = _shop(tmp_path)
    cached = AnalysisOptions(cache_dir=tmp_path / "cache", jobs=1)
    _check(shop, cached)
    _rebind_product(shop)
    edited, resolved = _check(shop, cached)
    assert 0 < resolved < _modules(shop)
    assert not list((tmp_path / "cache").glob("journal-*"))  # folded into the base
    assert _check(shop, cached) == (edited, 0)


def test_a_corrupt_journal_falls_back_to_a_full_run(tmp_path: Path) -> None:
    shop = _shop(tmp_path)
    cached = AnalysisOptions(cache_dir=tmp_path / "cache", jobs=1)
    _check(shop, cached)
    _rebind_product(shop)
    edited, _ = _check(shop, cached)
    (journal_file,) = (tmp_path / "cache").glob("journal-*")
    journal_file.write_bytes(b"not a pickle")
    text, resolved = _check(shop, cached)
    assert text == edited and resolved == _modules(shop)
