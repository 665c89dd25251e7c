"""Seams, data ownership and the extraction order on the real monolith."""

from pathlib import Path

import pytest

from analysis import AnalysisOptions, analyze
from analysis.boundaries import BoundaryOptions
from analysis.plan import build_plan
from analysis.plan.seams import CHANGES, KERNEL_CHANGE

ROOT = Path(__file__).resolve().parents[4]


@pytest.fixture(scope="module")
def monolith(tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    return analyze(ROOT / "monolith", AnalysisOptions(jobs=1, cache_dir=cache))


@pytest.fixture(scope="module")
def plan(monolith):
    return build_plan(monolith.graph, monolith.models, monolith.urls, BoundaryOptions())


def test_every_cross_service_edge_is_a_seam_with_its_change(plan):
    assignment = plan.proposal.assignment
    for seam in plan.seams:
        assert assignment[seam.source] == seam.from_service != seam.to_service
        assert seam.locations
        expected = KERNEL_CHANGE if "shared" in (seam.from_service, seam.to_service) else (
            CHANGES[seam.kind])
        assert seam.change == expected
    fk = [s for s in plan.seams if s.kind == "fk" and s.source.endswith("ViewingSession")
          and s.target.endswith(":Title")]
    assert fk and fk[0].locations[0] == ("monolith/playback/models.py", 15)
    assert "id column" in fk[0].change


def test_a_receiver_writing_another_services_table_is_a_shared_write(plan):
    title = next(o for o in plan.ownership if o.model == "core.Title")
    assert title.owner == "catalog"
    assert "ratings" in title.writers and title.shared_write  # update_title_average


def test_pinning_user_apart_reveals_the_signup_distributed_transaction(monolith):
    options = BoundaryOptions(pins={"accounts": ("monolith.core.models:User",
                                                 "monolith.core.views:SignupView")})
    plan = build_plan(monolith.graph, monolith.models, monolith.urls, options)
    signup = [t for t in plan.transactions if t.owner == "monolith.core.views:SignupView"]
    assert signup and set(signup[0].services) >= {"accounts", "billing"}
    assert signup[0].location.file == "monolith/core/views.py"


def test_steps_cover_every_service_once_in_dependency_order(plan):
    names = [step.service for step in plan.steps]
    assert sorted(names) == sorted(s.name for s in plan.proposal.services)
    position = {name: i for i, name in enumerate(names)}
    cut = {(a, b) for a, b, _ in plan.broken_cycle_edges}
    for link in plan.links:
        if "shared" in (link.source, link.target) or (link.source, link.target) in cut:
            continue
        # the dependent leaves first: it calls the other through the proxy afterwards
        assert position[link.source] < position[link.target]
    for step in plan.steps:
        assert step.risk >= 0
        assert all(step.service in (s.from_service, s.to_service) for s in step.seams_to_cut)


def test_metrics_hold_the_contract_keys(plan):
    for key in ("modularity", "structural_modularity", "icp", "ifn", "ned"):
        assert key in plan.metrics
    assert 0 < plan.metrics["icp"] < 1
    assert plan.metrics["modularity"] > 0.5
    for values in plan.service_metrics.values():
        assert 0 <= values["cohesion"] <= 1 and 0 <= values["coupling"] <= 1
