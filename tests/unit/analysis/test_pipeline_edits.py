"""After each kind of edit, a cached run gives the same JSON bytes as a run from scratch."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from analysis import AnalysisOptions, analyze
from analysis.pipeline import AnalysisResult
from analysis.render import render_json
from analysis.report import build_report
from tests.unit.analysis.helpers import FIXTURES

SERVICES = "orders/services.py"
CATALOG = "catalog/models.py"
ORDERS = "orders/models.py"


def _json(path: Path, options: AnalysisOptions) -> str:
    return render_json(build_report(analyze(path, options), "symbol").contract)


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))


EDITS = {
    "comment appended": lambda shop: (shop / SERVICES).write_text(
        (shop / SERVICES).read_text() + "\n# a comment\n"
    ),
    "import removed": lambda shop: _replace(
        shop / SERVICES, "from shop.orders.tasks import send_confirmation\n", ""
    ),
    "import added": lambda shop: _replace(
        shop / SERVICES, "from django.db import transaction\n",
        "from django.db import transaction\nfrom shop.catalog.views import *\n",
    ),
    "model renamed": lambda shop: (
        _replace(shop / CATALOG, "class Product(", "class Item("),
        _replace(shop / CATALOG, "ManyToManyField(Product", "ManyToManyField(Item"),
    ),
    "file deleted": lambda shop: (shop / "orders/receivers.py").unlink(),
    "file added": lambda shop: (shop / "orders/extra.py").write_text(
        "from shop.orders.models import Order\n\n\ndef count():\n    return Order.objects.count()\n"
    ),
    "syntax error": lambda shop: (shop / SERVICES).write_text("def broken(:\n"),
    # Edits that change what a file exports to the others, seen only through other files.
    "class used elsewhere renamed": lambda shop: _replace(
        shop / "catalog/views.py", "class ProductDetail(", "class ProductView("
    ),
    "fk target changed": lambda shop: _replace(shop / ORDERS, '"catalog.Product"', '"catalog.Tag"'),
    "app label changed": lambda shop: _replace(
        shop / "orders/apps.py", 'label = "sales"', 'label = "orders"'
    ),
    "app left out of INSTALLED_APPS": lambda shop: _replace(
        shop / "settings.py", 'LOCAL_APPS = ["shop.catalog", ', "LOCAL_APPS = ["
    ),
    "url include changed": lambda shop: _replace(
        shop / "urls.py", 'include("shop.catalog.urls")', 'include("shop.orders.urls")'
    ),
}


# How each edit is resolved: "incremental" (the edited module and its dependents only),
# "full" (a cross-file input changed, or the set of files), "stored" (facts unchanged).
PATHS = {
    "comment appended": "stored",
    "import removed": "incremental",
    "import added": "incremental",
    "model renamed": "full",
    "file deleted": "full",
    "file added": "full",
    "syntax error": "full",
    "class used elsewhere renamed": "full",  # a URLconf reads the class
    "fk target changed": "full",  # relations feed the cross-file lookup index
    "app label changed": "full",
    "app left out of INSTALLED_APPS": "full",
    "url include changed": "full",
}


def _path(result: AnalysisResult) -> str:
    modules = len(result.graph.nodes()) and len(
        [n for n in result.graph.nodes() if n.kind == "module"]
    )
    if result.stats.resolved == 0:
        return "stored"
    return "full" if result.stats.resolved == modules else "incremental"


def _run(path: Path, options: AnalysisOptions) -> tuple[str, str]:
    result = analyze(path, options)
    return render_json(build_report(result, "symbol").contract), _path(result)


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_a_cached_run_after_an_edit_equals_a_run_from_scratch(tmp_path: Path, edit: str) -> None:
    shop = tmp_path / "shop"
    shutil.copytree(FIXTURES / "shop", shop)
    cached = AnalysisOptions(cache_dir=tmp_path / "cache", jobs=1)
    before = _json(shop, cached)
    EDITS[edit](shop)
    after, path = _run(shop, cached)
    assert path == PATHS[edit]
    assert after == _json(shop, AnalysisOptions(use_cache=False, jobs=1))
    # Every edit but the comment changes facts, hence the graph.
    assert (after == before) == (edit == "comment appended")
    # And the run after that (nothing changed) returns the same stored result.
    assert _json(shop, cached) == after


def test_an_edit_leaving_facts_equal_reuses_the_stored_result(tmp_path: Path) -> None:
    shop = tmp_path / "shop"
    shutil.copytree(FIXTURES / "shop", shop)
    cached = AnalysisOptions(cache_dir=tmp_path / "cache", jobs=1)
    analyze(shop, cached)
    stored = [*(tmp_path / "cache").glob("result-*.pickle"), *(tmp_path / "cache").glob("facts*")]
    for path in stored:
        os.utime(path, ns=(1, 1))
    EDITS["comment appended"](shop)
    result = analyze(shop, cached)
    assert result.stats.parsed == 1
    # Neither resolved again (the result is not rewritten) nor facts stored again.
    assert [path.stat().st_mtime_ns for path in stored] == [1] * len(stored)
    warm = analyze(shop, cached)
    assert (warm.stats.parsed, warm.stats.from_cache) == (0, result.stats.files)
