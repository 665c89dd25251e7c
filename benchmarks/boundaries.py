"""Quality of the proposed service boundaries, next to plain Louvain and the app layout.

    .venv/bin/python benchmarks/boundaries.py [--seeds 5]

1. django-oscar (from PyPI, cached in ``benchmarks/.cache/`` by ``benchmarks/analysis.py``'s
   helper) at module granularity, with oscar's own Django apps as the reference partition:
   MoJoFM and ARI of our proposal and of plain Louvain on the reference graph, as
   min / median / max over several clustering seeds.
2. The monolith at symbol granularity: MoJoFM/ARI against ``ground_truth.toml`` (kernel
   scored as the "shared" cluster), also with each of the URL-block, event-log and restart
   rules switched off, and SM, ICP, IFN, NED of our proposal next to the partitions "one
   service per Django app" and the ground truth itself.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis import AnalysisOptions, analyze  # noqa: E402
from analysis.boundaries import (  # noqa: E402
    BoundaryOptions,
    adjusted_rand_index,
    mojofm,
    propose,
)
from analysis.boundaries.baseline import louvain_baseline  # noqa: E402
from analysis.boundaries.metrics import partition_metrics  # noqa: E402


def _fetch_oscar() -> Path:
    spec = importlib.util.spec_from_file_location("bench_analysis", ROOT / "benchmarks/analysis.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while defining
    spec.loader.exec_module(module)
    return module.fetch(module.PACKAGES["oscar"]) / "oscar"  # type: ignore[no-any-return]


def _spread(values: list[float]) -> str:
    return (f"min {min(values):6.2f}  median {statistics.median(values):6.2f}  "
            f"max {max(values):6.2f}")


def _agreement(name: str, found: list[dict[str, str]], truth: dict[str, str]) -> None:
    mojos = [mojofm(f, truth) for f in found]
    aris = [adjusted_rand_index(f, truth) for f in found]
    clusters = [len(set(f.values())) for f in found]
    print(f"  {name:<22} MoJoFM {_spread(mojos)}")
    print(f"  {'':<22} ARI    {_spread(aris)}   clusters {min(clusters)}-{max(clusters)}")


def oscar(seeds: list[int]) -> None:
    root = _fetch_oscar()
    with tempfile.TemporaryDirectory() as cache:
        result = analyze(root, AnalysisOptions(cache_dir=Path(cache)))
    graph = result.graph.aggregate("module")
    truth = {n.id: n.app for n in graph.nodes()}
    print(f"django-oscar, module granularity: {len(graph)} modules, "
          f"{len(set(truth.values()))} apps (the reference)")
    ours = [
        propose(result.graph, result.models, result.urls,
                BoundaryOptions(granularity="module", seed=s)).assignment
        for s in seeds
    ]  # fmt: skip
    _agreement("ours", ours, truth)
    # The app prior (cross_app) uses the very labels the reference is made of: show the
    # proposal without it too, so the reader sees what the structure alone recovers.
    blind = [
        propose(result.graph, result.models, result.urls,
                BoundaryOptions(granularity="module", seed=s, cross_app=1.0)).assignment
        for s in seeds
    ]  # fmt: skip
    _agreement("ours, no app prior", blind, truth)
    _agreement("plain Louvain", [louvain_baseline(graph, s) for s in seeds], truth)


def monolith(seeds: list[int]) -> None:
    with tempfile.TemporaryDirectory() as cache:
        result = analyze(ROOT / "monolith", AnalysisOptions(cache_dir=Path(cache)))
    domains = tomllib.loads((ROOT / "monolith/ground_truth.toml").read_text())["domains"]
    truth = {s: d for d, symbols in domains.items() for s in symbols}
    print("\nmonolith, symbol granularity, against ground_truth.toml [domains]")
    ours = [
        propose(result.graph, result.models, result.urls, BoundaryOptions(seed=s)).assignment
        for s in seeds
    ]
    _agreement("ours", ours, truth)
    # Each rule switched off in turn, so a reader sees what it brings (docs/boundaries.md).
    for label, off in (
        ("no URL blocks", {"url_blocks": False}),
        ("no event-log rule", {"event_logs": False}),
        ("one Louvain run", {"restarts": 1}),
        ("none of the three", {"url_blocks": False, "event_logs": False, "restarts": 1}),
    ):
        _agreement(label, [
            propose(result.graph, result.models, result.urls,
                    BoundaryOptions(seed=s, **off)).assignment  # type: ignore[arg-type]
            for s in seeds
        ], truth)  # fmt: skip
    _agreement("plain Louvain", [louvain_baseline(result.graph, s) for s in seeds], truth)
    by_app = {n.id: n.app for n in result.graph.nodes() if n.kind != "module"}
    print("\n  partition               services      SM     ICP     IFN     NED")
    for label, assignment, skip in (
        ("ours (seed 42)", propose(result.graph, result.models, result.urls,
                                   BoundaryOptions()).assignment, "shared"),
        ("one per Django app", by_app, None),
        ("the ground truth", truth, "shared"),
    ):
        overall, _ = partition_metrics(result.graph, assignment, None, (5, 60), skip=skip)
        print(f"  {label:<22} {overall['services']:8.0f} {overall['structural_modularity']:7.3f} "
              f"{overall['icp']:7.3f} {overall['ifn']:7.2f} {overall['ned']:7.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    seeds = list(range(args.seeds))
    monolith(seeds)
    print()
    oscar(seeds)


if __name__ == "__main__":
    main()
