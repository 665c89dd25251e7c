"""monolith/ground_truth.toml stays true to the code: symbols exist, all are listed, lines hold."""

import ast
import tomllib
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
PACKAGE = REPO / "monolith"
GROUND_TRUTH = tomllib.loads((PACKAGE / "ground_truth.toml").read_text(encoding="utf-8"))
SEAM_KINDS = {"fk", "m2m", "o2o", "orm", "signal", "import", "serializer", "call", "transaction"}


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def top_level_symbols() -> dict[str, set[str]]:
    """Every top-level class/function of every non-migration module, by module name."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        kinds = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
        found[module_name(path)] = {node.name for node in tree.body if isinstance(node, kinds)}
    return found


def listed() -> list[tuple[str, str]]:
    return [
        (domain, symbol)
        for domain, symbols in GROUND_TRUTH["domains"].items()
        for symbol in symbols
    ]


def domain_of(symbol: str) -> str:
    return next(domain for domain, s in listed() if s == symbol)


def test_domains_are_the_seven_plus_shared():
    assert list(GROUND_TRUTH["domains"]) == [
        "accounts",
        "catalog",
        "billing",
        "playback",
        "ratings",
        "recommendations",
        "notifications",
        "shared",
    ]


@pytest.mark.parametrize("symbol", [s for _, s in listed()])
def test_every_listed_symbol_exists_at_top_level(symbol):
    module, _, name = symbol.partition(":")
    assert name in top_level_symbols().get(module, set()), (
        f"{symbol} is not a top-level class/function"
    )


def test_every_symbol_is_listed_exactly_once():
    symbols = [s for _, s in listed()]
    duplicates = sorted({s for s in symbols if symbols.count(s) > 1})
    assert duplicates == []
    in_code = {
        f"{module}:{name}" for module, names in top_level_symbols().items() for name in names
    }
    assert sorted(in_code - set(symbols)) == []


@pytest.mark.parametrize("seam", GROUND_TRUTH["seams"], ids=lambda s: f"{s['file']}:{s['line']}")
def test_seam_line_holds_its_text(seam):
    assert seam["kind"] in SEAM_KINDS
    lines = (REPO / seam["file"]).read_text(encoding="utf-8").splitlines()
    assert seam["line"] >= 1 and seam["line"] <= len(lines)
    assert seam["contains"] in lines[seam["line"] - 1], (
        f"{seam['file']}:{seam['line']} lost {seam['contains']!r}"
    )
    assert seam["note"]


@pytest.mark.parametrize("seam", GROUND_TRUTH["seams"], ids=lambda s: f"{s['file']}:{s['line']}")
def test_seam_crosses_domains(seam):
    source, target = domain_of(seam["source"]), domain_of(seam["target"])
    assert source != target, f"{seam['source']} and {seam['target']} are both {source}"
    assert seam["file"] == seam["source"].partition(":")[0].replace(".", "/") + ".py"


def test_every_kind_of_coupling_is_covered():
    kinds = {seam["kind"] for seam in GROUND_TRUTH["seams"]}
    assert kinds == SEAM_KINDS
    fk_lines = {seam["contains"] for seam in GROUND_TRUTH["seams"] if seam["kind"] == "fk"}
    assert any("settings.AUTH_USER_MODEL" in text for text in fk_lines)
    assert any('"core.' in text for text in fk_lines)
    assert any("ForeignKey(Profile," in text for text in fk_lines)
    assert len(GROUND_TRUTH["seams"]) >= 20
