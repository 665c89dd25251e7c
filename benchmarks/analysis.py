"""Analysis speed against grimp, side by side, in one run (a script, not a test).

    .venv/bin/python benchmarks/analysis.py [--packages django,wagtail,oscar,sentry]
                                            [--repeat 3] [--jobs N]

Downloads each package from PyPI once (``pip download --no-deps``, wheels) into
``benchmarks/.cache/`` (git-ignored), unpacks it, copies the package to a scratch folder and
times on it, each measurement in a fresh interpreter (imports excluded, as for grimp):

- ours: ``analysis.analyze`` cold (no cache), warm (cache filled, nothing changed), after
  touching one file (mtime only), after editing one file so that its facts stay the same (a
  comment appended: "edited"), and after editing it so that its facts change (an import
  inserted at the top, which also moves every line: "changed");
- grimp: ``grimp.build_graph`` without a cache, with a cold cache, with a warm cache, and with
  a warm cache after the same touch and edits;
- the whole CLI process over unchanged code ("cli warm": ``strangler analyze --format json``,
  interpreter start, imports and rendering included) against a process that imports grimp
  and calls ``build_graph`` with its warm cache.

Prints medians over ``--repeat`` runs, the ratios ours/grimp, and peak RSS per process
(children included: our parallel workers count). Sentry is pinned to 23.7.1, its last
release on PyPI (yanked there, so it must be named exactly).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(__file__).resolve().parent / ".cache"
PYTHON = sys.executable


@dataclass(frozen=True)
class Package:
    key: str
    requirement: str
    wheel_prefix: str
    import_name: str


PACKAGES = {
    "django": Package("django", "django==5.2.8", "django-", "django"),
    "wagtail": Package("wagtail", "wagtail==8.0.1", "wagtail-", "wagtail"),
    "oscar": Package("oscar", "django-oscar==4.2.1", "django_oscar-", "oscar"),
    "sentry": Package("sentry", "sentry==23.7.1", "sentry-", "sentry"),
}

# The child measures one thing and prints JSON: seconds and peak RSS (self + children).
CHILD = r"""
import json, resource, sys, time
from pathlib import Path
mode, parent, name, cache, jobs = sys.argv[1:6]
sys.path.insert(0, parent)
if mode.startswith("ours"):
    from analysis import AnalysisOptions, analyze
    # Tests and migrations included: grimp reads every module, so both read the same files.
    options = AnalysisOptions(
        use_cache=mode != "ours-nocache", cache_dir=Path(cache), jobs=int(jobs) or None,
        include_tests=True, include_migrations=True,
    )
    start = time.perf_counter()
    result = analyze(Path(parent) / name, options)
    seconds = time.perf_counter() - start
    size = {
        "nodes": len(result.graph), "edges": len(result.graph.edges()),
        "files": result.stats.files, "parsed": result.stats.parsed,
    }
else:
    import grimp
    start = time.perf_counter()
    graph = grimp.build_graph(name, cache_dir=None if mode == "grimp-nocache" else cache)
    seconds = time.perf_counter() - start
    size = {"modules": len(graph.modules)}
usage = resource.getrusage
rss = max(usage(resource.RUSAGE_SELF).ru_maxrss, usage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(json.dumps({"seconds": seconds, "rss_mb": rss / 1024, **size}))
"""


def fetch(package: Package) -> Path:
    """The unpacked package folder's parent (downloading and unpacking once)."""
    dist = CACHE / "dist"
    dist.mkdir(parents=True, exist_ok=True)
    wheels = sorted(dist.glob(f"{package.wheel_prefix}*.whl"))
    if not wheels:
        subprocess.run(
            [PYTHON, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "-q",
             "-d", str(dist), package.requirement],
            check=True,
        )  # fmt: skip
        wheels = sorted(dist.glob(f"{package.wheel_prefix}*.whl"))
    target = CACHE / "src" / package.key
    if not (target / package.import_name).is_dir():
        with zipfile.ZipFile(wheels[-1]) as archive:
            archive.extractall(target)
    return target


def child(mode: str, parent: Path, name: str, cache: Path, jobs: int) -> dict[str, float]:
    out = subprocess.run(
        [PYTHON, "-c", CHILD, mode, str(parent), name, str(cache), str(jobs)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _timed_process(command: list[str], cwd: Path) -> dict[str, float]:
    """Wall time and peak RSS of a whole process (interpreter start and imports included)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)  # this child's own peak RSS
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command)
    return {"seconds": seconds, "rss_mb": usage.ru_maxrss / 1024}


def cli_ours(parent: Path, name: str, cache: Path, jobs: int) -> dict[str, float]:
    command = [
        str(Path(PYTHON).parent / "strangler"), "analyze", name, "--format", "json",
        "--out", os.devnull, "--quiet", "--include-tests", "--include-migrations",
        "--cache-dir", str(cache),
    ]  # fmt: skip
    return _timed_process([*command, "--jobs", str(jobs)] if jobs else command, parent)


def cli_grimp(parent: Path, name: str, cache: Path) -> dict[str, float]:
    code = f"import grimp; grimp.build_graph({name!r}, cache_dir={str(cache)!r})"
    return _timed_process([PYTHON, "-c", code], parent)


def _some_module(package_dir: Path) -> Path:
    candidates = sorted(p for p in package_dir.glob("*/*.py") if p.name != "__init__.py")
    return candidates[len(candidates) // 2]


def measure(package: Package, repeat: int, jobs: int) -> dict[str, object]:
    source = fetch(package)
    rows: dict[str, list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="strangler-bench-") as scratch:
        parent = Path(scratch)
        shutil.copytree(source / package.import_name, parent / package.import_name)
        victim = _some_module(parent / package.import_name)
        original = victim.read_bytes()
        for run in range(repeat):
            ours_cache, grimp_cache = parent / f"ours-{run}", parent / f"grimp-{run}"
            victim.write_bytes(original)

            def take(label: str, mode: str, cache: Path) -> None:
                rows.setdefault(label, []).append(
                    child(mode, parent, package.import_name, cache, jobs)
                )

            take("ours cold", "ours-nocache", ours_cache)
            take("grimp cold", "grimp-nocache", grimp_cache)
            take("ours fill", "ours", ours_cache)
            take("grimp fill", "grimp", grimp_cache)
            take("ours warm", "ours", ours_cache)
            take("grimp warm", "grimp", grimp_cache)
            os.utime(victim)
            take("ours touched", "ours", ours_cache)
            take("grimp touched", "grimp", grimp_cache)
            victim.write_bytes(original + b"\n# edited by the benchmark\n")
            take("ours edited", "ours", ours_cache)
            take("grimp edited", "grimp", grimp_cache)
            victim.write_bytes(b"import os.path\n" + original)
            take("ours changed", "ours", ours_cache)
            take("grimp changed", "grimp", grimp_cache)
            rows.setdefault("ours cli warm", []).append(
                cli_ours(parent, package.import_name, ours_cache, jobs)
            )
            rows.setdefault("grimp cli warm", []).append(
                cli_grimp(parent, package.import_name, grimp_cache)
            )
        victim.write_bytes(original)
    medians = {label: statistics.median(r["seconds"] for r in runs) for label, runs in rows.items()}
    rss = {label: max(r["rss_mb"] for r in runs) for label, runs in rows.items()}
    return {
        "medians": medians,
        "rss": rss,
        "size": rows["ours cold"][0],
        "grimp": rows["grimp cold"][0],
    }


def report(name: str, data: dict[str, object]) -> None:
    medians: dict[str, float] = data["medians"]  # type: ignore[assignment]
    rss: dict[str, float] = data["rss"]  # type: ignore[assignment]
    size: dict[str, float] = data["size"]  # type: ignore[assignment]
    grimp: dict[str, float] = data["grimp"]  # type: ignore[assignment]
    print(
        f"\n{name}: {int(size['files'])} files, ours {int(size['nodes'])} nodes / "
        f"{int(size['edges'])} edges (all kinds); grimp {int(grimp['modules'])} modules (imports)"
    )
    print(
        f"  {'run':<10} {'ours s':>8} {'grimp s':>8} {'ratio':>7}   {'ours MB':>8} {'grimp MB':>8}"
    )
    for run in ("cold", "fill", "warm", "touched", "edited", "changed", "cli warm"):
        ours, theirs = medians[f"ours {run}"], medians[f"grimp {run}"]
        print(
            f"  {run:<10} {ours:8.3f} {theirs:8.3f} {ours / theirs:6.1f}x   "
            f"{rss[f'ours {run}']:8.0f} {rss[f'grimp {run}']:8.0f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--packages", default="django,wagtail,oscar,sentry")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=0, help="our worker processes (0: CPUs)")
    args = parser.parse_args()
    print(f"cpus: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f}, repeat: {args.repeat}")
    print("cold = no cache; fill = first run with an empty cache; warm = nothing changed;")
    print("touched = one file's mtime changed; edited = a comment appended to it (same facts);")
    print("changed = an import inserted at its top (facts change); cli warm = whole processes")
    for key in args.packages.split(","):
        report(key, measure(PACKAGES[key.strip()], args.repeat, args.jobs))


if __name__ == "__main__":
    main()
