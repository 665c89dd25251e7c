from analysis.resolve.names import NameIndex, Target, absolute_module
from tests.unit.analysis.helpers import facts_of


def _index() -> NameIndex:
    sources = {
        "app": ("from app.core.models import Title\n", True),
        "app.core": ("", True),
        "app.core.models": ("class Title:\n    pass\nSTATUS = 1\n", False),
        "app.core.api": ("from .models import *\n", False),
        "app.views": (
            "from app import core\nfrom app.core import models as m\nimport app.core.models\n"
            "from . import Title as Reexported\nfrom django.db import models\n",
            False,
        ),
    }
    return NameIndex(
        {name: facts_of(text, name, is_package=pkg) for name, (text, pkg) in sources.items()}
    )


def test_absolute_module_of_relative_imports() -> None:
    assert absolute_module("app.core.models", False, 1, "utils") == "app.core.utils"
    assert absolute_module("app.core", True, 1, "models") == "app.core.models"
    assert absolute_module("app.core.models", False, 2, "") == "app"


def test_names_resolve_through_imports_attributes_and_reexports() -> None:
    index = _index()
    assert index.resolve("app.views", "core.models.Title") == Target(
        "symbol", "app.core.models", "Title", 3
    )
    assert index.resolve("app.views", "m.Title.objects") == Target(
        "symbol", "app.core.models", "Title", 2
    )
    assert index.resolve("app.views", "app.core.models.STATUS") == Target(
        "variable", "app.core.models", "STATUS", 4
    )
    assert index.resolve("app.views", "Reexported") == Target(
        "symbol", "app.core.models", "Title", 1
    )
    assert index.resolve("app.core.api", "Title") == Target("symbol", "app.core.models", "Title", 1)
    assert index.resolve("app.views", "models.Model") == Target(
        "external", "django.db.models.Model", "", 2
    )
    assert index.resolve("app.views", "unknown_name") is None
