from analysis.facts import AssignFact, ReferenceFact, SymbolFact
from tests.unit.analysis.helpers import facts_of


def test_top_level_classes_and_functions_with_bases_and_decorators() -> None:
    facts = facts_of(
        """
        import functools
        from django.db import models

        class Title(models.Model, Mixin):
            class Inner:
                pass
            def method(self):
                def nested():
                    pass

        @functools.cache
        def helper():
            pass

        async def fetch():
            pass
        """
    )
    assert facts.symbols == (
        SymbolFact("Title", "class", 4, bases=("models.Model", "Mixin")),
        SymbolFact("helper", "function", 12, decorators=("functools.cache",)),
        SymbolFact("fetch", "function", 15),
    )


def test_references_are_grouped_per_scope_with_every_line() -> None:
    facts = facts_of(
        """
        from app import models

        def count():
            models.Title.objects.count()
            return models.Title.objects.count() + len([])

        def build():
            return models.Title(name="x")

        DEFAULT = build
        """
    )
    refs = {(r.scope, r.target, r.kind): r.lines for r in facts.references}
    assert refs[("count", "models.Title.objects.count", "call")] == (4, 5)
    assert refs[("build", "models.Title", "call")] == (8,)
    assert refs[("", "build", "reference")] == (10,)
    # Builtins and self/cls are never references to the analysed code.
    assert not any(r.target == "len" for r in facts.references)


def test_attribute_chains_count_once_not_per_part() -> None:
    facts = facts_of(
        """
        def f():
            return a.b.c
        """
    )
    assert facts.references == (ReferenceFact("f", "a.b.c", "reference", (2,)),)


def test_module_level_assignments_are_recorded() -> None:
    facts = facts_of(
        """
        from django.dispatch import Signal
        order_placed = Signal()
        alias = order_placed
        """
    )
    assert facts.assigns == (
        AssignFact("order_placed", "Signal", True, 2),
        AssignFact("alias", "order_placed", False, 3),
    )
