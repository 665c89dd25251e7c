from strangler_proxy.gates import (
    AutoRollback,
    ErrorWindow,
    GateFigures,
    Gates,
    evaluate,
    needs_gates,
    should_roll_back,
)
from strangler_proxy.stages import Stage

GOOD = GateFigures(compared=500, matched=499, candidate_requests=500, candidate_errors=1,
                   primary_p99_ms=20.0, candidate_p99_ms=25.0)


def test_all_gates_pass_on_good_figures():
    report = evaluate(Gates(), GOOD)
    assert report.passed and report.failed() == ()
    assert [r.name for r in report.results] == ["min_compared", "min_match_rate",
                                                "max_candidate_error_rate", "max_p99_ratio"]


def test_each_failing_gate_is_named_with_its_numbers():
    figures = GateFigures(compared=50, matched=40, candidate_requests=50, candidate_errors=5,
                          primary_p99_ms=10.0, candidate_p99_ms=30.0)
    report = evaluate(Gates(), figures)
    assert not report.passed
    failed = {r.name: r for r in report.failed()}
    assert set(failed) == {"min_compared", "min_match_rate", "max_candidate_error_rate",
                           "max_p99_ratio"}
    assert failed["min_match_rate"].actual == 0.8
    assert "80.00%" in failed["min_match_rate"].detail
    assert failed["max_p99_ratio"].actual == 3.0 and "3.00x" in failed["max_p99_ratio"].detail


def test_no_data_fails_rather_than_divides_by_zero():
    empty = GateFigures(compared=0, matched=0, candidate_requests=0, candidate_errors=0,
                        primary_p99_ms=None, candidate_p99_ms=None)
    report = evaluate(Gates(min_compared=0), empty)
    assert not report.passed
    assert [r.name for r in report.failed()] == ["min_match_rate", "max_candidate_error_rate",
                                                 "max_p99_ratio"]


def test_thresholds_are_configurable():
    assert not evaluate(Gates(min_match_rate=0.999), GOOD).passed
    assert evaluate(Gates(max_p99_ratio=1.25), GOOD).passed


def test_which_promotions_are_gated():
    assert not needs_gates(Stage.MONOLITH)
    assert needs_gates(Stage.SHADOW) and needs_gates(Stage.CANARY)


def test_auto_rollback_decision():
    rule = AutoRollback(enabled=True, error_budget=0.05, min_requests=20)
    assert not should_roll_back(rule, 10, 10).rollback  # too few requests to judge
    decision = should_roll_back(rule, 100, 6)
    assert decision.rollback and "6.00%" in decision.reason
    assert not should_roll_back(rule, 100, 5).rollback  # at budget is within budget
    assert not should_roll_back(AutoRollback(enabled=False), 100, 100).rollback


def test_error_window_slides():
    window = ErrorWindow(60)
    for second in range(100):
        window.add(1000.0 + second, error=second >= 90)
    assert window.counts(1099.5) == (60, 10)
    assert window.counts(1200.0) == (0, 0)
    window.add(1200.2, True)
    window.add(1200.7, False)
    assert window.counts(1200.9) == (2, 1)
