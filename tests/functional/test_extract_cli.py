"""``strangler extract`` end to end: scaffolds that Django accepts, and the facade on a copy."""

import ast
import shutil

import pytest
from click.testing import CliRunner

from strangler.cli import cli
from tests.unit.analysis.codemods.helpers import (
    MONOLITH,
    SHOP_PLAN,
    catalog_plan,
    copy_shop,
    run_python,
)


def _extract(*args: str):
    return CliRunner().invoke(cli, ["extract", *args], catch_exceptions=False)


def _django(scaffold, *command):
    result = run_python(["manage.py", *command], cwd=scaffold, pythonpath=scaffold)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_scaffold_of_the_fixture_project_checks_and_migrates(tmp_path):
    shop = copy_shop(tmp_path)
    dest = tmp_path / "extracted" / "products"
    result = _extract("products", "--plan", str(SHOP_PLAN), "--to", str(dest), "--root", str(shop))
    assert result.exit_code == 0, result.output
    assert "Seams left to cut (5):" in result.output
    assert "shop/catalog/models.py:25  fk  shop.catalog.models:Product.owner -> " \
        "settings.AUTH_USER_MODEL" in result.output
    assert (dest / "manage.py").stat().st_mode & 0o111
    assert "System check identified no issues" in _django(dest, "check")
    made = _django(dest, "makemigrations")
    assert "products/migrations/0001_initial.py" in made
    migration = (dest / "products" / "migrations" / "0001_initial.py").read_text()
    assert "seller_id" in migration and "tag_ids" in migration


def test_scaffold_of_the_monolith_catalog_passes_check(tmp_path):
    dest = tmp_path / "catalog"
    result = _extract("catalog", "--plan", str(catalog_plan(tmp_path)), "--to", str(dest),
                      "--root", str(MONOLITH))
    assert result.exit_code == 0, result.output
    assert "No seams left to cut" in result.output
    assert "System check identified no issues" in _django(dest, "check")
    urls = (dest / "config" / "urls.py").read_text()
    for register in ("titles", "genres", "seasons", "episodes", "people"):
        assert f'router_0.register("{register}", apis.' in urls


def test_dry_run_shows_tree_and_diff_and_writes_nothing(tmp_path):
    dest = tmp_path / "svc"
    result = _extract("products", "--plan", str(SHOP_PLAN), "--to", str(dest),
                      "--root", str(copy_shop(tmp_path)), "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{dest}/\n  SEAMS.md\n  manage.py\n")
    assert "+++ b/products/models.py\n" in result.output
    assert "dry run: 14 file(s) would be written" in result.output
    assert not dest.exists()


def test_refuses_an_existing_directory_without_force(tmp_path):
    shop = copy_shop(tmp_path)
    dest = tmp_path / "svc"
    dest.mkdir()
    (dest / "notes.txt").write_text("mine")
    args = ["products", "--plan", str(SHOP_PLAN), "--to", str(dest), "--root", str(shop)]
    refused = _extract(*args)
    assert refused.exit_code == 2
    assert "already exists" in refused.output and "--force" in refused.output
    assert sorted(p.name for p in dest.iterdir()) == ["notes.txt"]
    forced = _extract(*args, "--force")
    assert forced.exit_code == 0, forced.output
    assert (dest / "manage.py").is_file() and (dest / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize(("args", "message"), [
    (["billing"], "no service named 'billing'; the plan has: accounts, products"),
    (["products", "--facade"], "not both or neither"),
])
def test_bad_usage_exits_2_with_a_message(tmp_path, args, message):
    result = _extract(args[0], "--plan", str(SHOP_PLAN), "--to", str(tmp_path / "x"),
                      "--root", str(copy_shop(tmp_path)), *args[1:])
    assert result.exit_code == 2
    assert message in result.output


def test_facade_on_a_copy_of_the_monolith_keeps_django_happy(tmp_path):
    work = tmp_path / "work"
    copy = work / "monolith"
    shutil.copytree(MONOLITH, copy, ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3"))
    plan = str(catalog_plan(tmp_path))
    done = _extract("catalog", "--plan", plan, "--facade", "--root", str(copy))
    assert done.exit_code == 0, done.output
    assert "left as is: monolith/core/urls.py:6  from monolith.core import views" in done.output
    playback = (copy / "playback" / "models.py").read_text()
    assert "from monolith.core.models import Profile\n" \
        "from monolith.catalog_facade.models import Episode\n" in playback
    assert "monolith_client" not in playback
    assert "catalog_client" in (copy / "catalog_facade" / "__init__.py").read_text()
    for path in copy.rglob("*.py"):
        ast.parse(path.read_text(), filename=str(path))
    again = _extract("catalog", "--plan", plan, "--facade", "--root", str(copy))
    assert "facade: changed 0 file(s)" in again.output

    check = run_python(["-m", "django", "check"], cwd=work, pythonpath=work,
                       env={"DJANGO_SETTINGS_MODULE": "monolith.settings", "DJANGO_DEMO": "1"})
    assert check.returncode == 0, check.stdout + check.stderr
    assert "System check identified no issues" in check.stdout
