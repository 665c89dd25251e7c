from analysis.facts import AtomicFact, OrmFact
from tests.unit.analysis.helpers import facts_of


def test_manager_chains_are_reads_or_writes_with_lookups() -> None:
    facts = facts_of(
        """
        def sync():
            Title.objects.filter(genres__slug="x").count()
            Title.objects.filter(pk=1).update(name="y")
            Rating.published.exclude(score=0)
            Title._default_manager.bulk_create([])
            qs.filter(a=1)
        """
    )
    assert facts.orm == (
        OrmFact("sync", "Title", "objects", "count", "read", 2, ("genres__slug",)),
        OrmFact("sync", "Title", "objects", "update", "write", 3),
        OrmFact("sync", "Rating", "published", "exclude", "read", 4),
        OrmFact("sync", "Title", "_default_manager", "bulk_create", "write", 5),
    )


def test_instance_saves_follow_local_bindings() -> None:
    facts = facts_of(
        """
        def make():
            title = Title(name="x")
            title.save()
            rating, created = Rating.objects.get_or_create(pk=1)
            rating.delete()
            for session in Session.objects.all():
                session.save()
            Profile(user=None).save()
            unknown.save()
        """
    )
    writes = [(f.model, f.method, f.line) for f in facts.orm if f.op == "write"]
    assert writes == [
        ("Title", "save", 3),
        ("Rating", "get_or_create", 4),
        ("Rating", "delete", 5),
        ("Session", "save", 7),
        ("Profile", "save", 8),
    ]


def test_atomic_blocks_and_decorators_with_their_span() -> None:
    facts = facts_of(
        """
        from django.db import transaction

        class SignupView:
            def post(self):
                with transaction.atomic():
                    User.objects.create()
                return 1

        @transaction.atomic
        def pay():
            Payment.objects.create()
        """
    )
    assert facts.atomics == (AtomicFact("SignupView", 5, 6), AtomicFact("pay", 9, 11))
