"""The walker's traversal: what it visits, in which order, and trees deeper than the limit."""

from __future__ import annotations

import sys

from analysis.facts import ReferenceFact
from tests.unit.analysis.helpers import facts_of


def test_a_tree_deeper_than_the_recursion_limit_is_walked_whole() -> None:
    # 2,500 terms make a BinOp chain that deep: past the default limit of 1,000 frames,
    # within what ast.parse builds (3x its limit).
    terms = " + ".join(["a.b"] * 2_499 + ["c.d(e)"])
    limit = sys.getrecursionlimit()
    facts = facts_of(f"def f():\n    return {terms}\n")
    assert sys.getrecursionlimit() == limit
    assert facts.references == (
        ReferenceFact("f", "a.b", "reference", (2,)),
        ReferenceFact("f", "c.d", "call", (2,)),
        ReferenceFact("f", "e", "reference", (2,)),
    )


def test_references_come_in_source_order_of_first_use() -> None:
    facts = facts_of(
        """
        @deco(x)
        class A(Base, metaclass=Meta):
            def m(self, y: Hint = default) -> Ret:
                return [z for z in items if z.ok] or {k: v for k, v in pairs}
        """
    )
    assert [(r.target, r.kind) for r in facts.references] == [
        ("deco", "call"),
        ("x", "reference"),
        ("Base", "reference"),
        ("Meta", "reference"),
        ("Hint", "reference"),
        ("default", "reference"),
        ("Ret", "reference"),
        ("z", "reference"),
        ("items", "reference"),
        ("z.ok", "reference"),
        ("k", "reference"),
        ("v", "reference"),
        ("pairs", "reference"),
    ]
    assert {r.scope for r in facts.references} == {"A"}


def test_a_dotted_chain_is_one_use_and_a_computed_receiver_is_walked() -> None:
    facts = facts_of(
        """
        a.b.c = 1
        get().x.y
        self.helper()
        items[0].run(arg.attr)
        """
    )
    assert [(r.target, r.kind, r.lines) for r in facts.references] == [
        ("a.b", "reference", (1,)),
        ("get", "call", (2,)),
        ("items", "reference", (4,)),
        ("arg.attr", "reference", (4,)),
    ]


def test_type_checking_blocks_mark_imports_but_not_their_else() -> None:
    facts = facts_of(
        """
        if typing.TYPE_CHECKING:
            import a
        else:
            import b
        """
    )
    assert [(i.module, i.type_checking) for i in facts.imports] == [("a", True), ("b", False)]
    assert [r.target for r in facts.references] == []
