from analysis.facts import ImportFact
from tests.unit.analysis.helpers import facts_of


def test_plain_from_relative_and_star_imports_with_lines() -> None:
    facts = facts_of(
        """
        import os.path as osp
        import app.models
        from . import utils
        from ..core.models import Title as T
        from app.helpers import *
        """
    )
    assert facts.imports == (
        ImportFact("os.path", "", "osp", 0, 1),
        ImportFact("app.models", "", "", 0, 2),
        ImportFact("", "utils", "", 1, 3),
        ImportFact("core.models", "Title", "T", 2, 4),
        ImportFact("app.helpers", "*", "", 0, 5),
    )


def test_imports_in_functions_carry_their_scope() -> None:
    facts = facts_of(
        """
        def load():
            from app.models import Title
            return Title
        """
    )
    assert facts.imports == (ImportFact("app.models", "Title", "", 0, 2, scope="load"),)


def test_type_checking_imports_are_marked_and_else_branch_is_not() -> None:
    facts = facts_of(
        """
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            from app.models import Title
        else:
            Title = None
        import typing
        if typing.TYPE_CHECKING:
            import app.views
        """
    )
    marked = {(imp.module, imp.line) for imp in facts.imports if imp.type_checking}
    assert marked == {("app.models", 3), ("app.views", 8)}


def test_importlib_with_a_literal_is_a_dynamic_import() -> None:
    facts = facts_of(
        """
        import importlib
        def plugin(name):
            importlib.import_module("app.plugins.default")
            importlib.import_module(name)
            return importlib.import_module(".local", package="app")
        """
    )
    dynamic = [imp for imp in facts.imports if imp.dynamic]
    assert dynamic == [
        ImportFact("app.plugins.default", "", "", 0, 3, scope="plugin", dynamic=True),
        ImportFact("local", "", "", 1, 5, scope="plugin", dynamic=True),
    ]
