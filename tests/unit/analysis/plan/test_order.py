from analysis.plan.model import Seam
from analysis.plan.order import break_cycles, order_services
from analysis.records import Location


def _seam(a, b, n=1):
    return Seam(f"{a}:x", f"{b}:y", "call", a, b, tuple(Location("f.py", i) for i in range(n)),
                "call the API")


def test_cycles_break_at_their_cheapest_edge():
    seams = [_seam("a", "b", 5), _seam("b", "c", 4), _seam("c", "a", 1), _seam("c", "d", 2)]
    dag, broken = break_cycles(seams, ["a", "b", "c", "d"])
    assert broken == [("c", "a", 1.0)]
    assert not dag.has_edge("c", "a") and dag.has_edge("a", "b")


def test_dependents_leave_first_and_risk_counts_inbound_seams():
    seams = [_seam("a", "b", 1), _seam("b", "c", 1), _seam("a", "c", 1)]
    steps, broken = order_services(seams, ["c", "b", "a"], [], [])
    assert broken == []
    assert [s[0] for s in steps] == ["a", "b", "c"]
    risks = {name: risk for name, _, _, risk in steps}
    assert risks["c"] > risks["a"]  # two inbound seams against none
