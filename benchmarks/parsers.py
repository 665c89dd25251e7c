"""What parsing alone costs, per parser, on one package (a script, not a test).

    .venv/bin/python benchmarks/parsers.py [--package sentry]

The analysis cold goal (within 3x grimp's cold run) is bounded by the parser: this script
times, on one core and on the package ``benchmarks/analysis.py`` downloaded into
``benchmarks/.cache/src/`` (run that first), Python's ``ast.parse`` (what the fact pass uses),
libcst's parser (what the codemods use) on a sample, and, when installed, tree-sitter's
Python grammar with one query capturing imports, definitions, calls and every identifier
(the least a fact pass would need from it). tree-sitter is not a dependency of the project:
``pip install tree-sitter tree-sitter-python`` into a scratch virtualenv to get that row.
Prints seconds per row and the ratio to ``ast.parse``.
"""

from __future__ import annotations

import argparse
import ast
import sys
import time
from pathlib import Path

SOURCES = Path(__file__).resolve().parent / ".cache" / "src"
LIBCST_SAMPLE = 200  # files: libcst is slow enough that the whole package would take minutes
TS_QUERY = """
(import_statement) @import
(import_from_statement) @import_from
(class_definition name: (identifier) @class)
(function_definition name: (identifier) @function)
(call function: (_) @callee)
(identifier) @name
"""


def sources(package: str) -> list[bytes]:
    root = SOURCES / package
    if not root.is_dir():
        sys.exit(f"{root} is missing: run `benchmarks/analysis.py --packages {package}` first "
                 "(it downloads and unpacks the package)")
    return [path.read_bytes() for path in sorted(root.rglob("*.py"))]


def time_ast(texts: list[bytes]) -> float:
    started = time.perf_counter()
    for text in texts:
        try:
            ast.parse(text)
        except SyntaxError:
            pass  # counted like any other file: the analysis reports and skips it
    return time.perf_counter() - started


def time_libcst(texts: list[bytes]) -> float | None:
    try:
        import libcst
    except ImportError:
        return None
    started = time.perf_counter()
    for text in texts:
        try:
            libcst.parse_module(text)
        except libcst.ParserSyntaxError:
            pass
    return time.perf_counter() - started


def time_tree_sitter(texts: list[bytes]) -> tuple[float, float] | None:
    try:
        import tree_sitter
        import tree_sitter_python
    except ImportError:
        return None
    language = tree_sitter.Language(tree_sitter_python.language())
    parser = tree_sitter.Parser(language)
    started = time.perf_counter()
    trees = [parser.parse(text) for text in texts]
    parsed = time.perf_counter() - started
    cursor = tree_sitter.QueryCursor(tree_sitter.Query(language, TS_QUERY))
    started = time.perf_counter()
    for tree in trees:
        for node in cursor.captures(tree.root_node).get("name", ()):
            node.text  # noqa: B018  (reading the text is part of what a fact pass pays)
    return parsed, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--package", default="sentry",
                        help="a folder of benchmarks/.cache/src (default: sentry)")
    args = parser.parse_args()
    texts = sources(args.package)
    size = sum(map(len, texts)) / 1e6
    print(f"{args.package}: {len(texts):,} files, {size:.1f} MB, one core")
    base = time_ast(texts)
    print(f"  ast.parse                          {base:6.2f} s   1.00x")
    sample = texts[:: max(len(texts) // LIBCST_SAMPLE, 1)][:LIBCST_SAMPLE]
    cst = time_libcst(sample)
    if cst is not None:
        ast_sample = time_ast(sample)
        print(f"  libcst.parse_module ({len(sample)} files)     {cst:6.2f} s   "
              f"{cst / ast_sample:.2f}x ast.parse on the same files")
    ts = time_tree_sitter(texts)
    if ts is None:
        print("  tree-sitter: not installed (pip install tree-sitter tree-sitter-python)")
    else:
        parsed, queried = ts
        print(f"  tree-sitter parse                  {parsed:6.2f} s   {parsed / base:.2f}x")
        print(f"  tree-sitter parse + query          {parsed + queried:6.2f} s   "
              f"{(parsed + queried) / base:.2f}x")


if __name__ == "__main__":
    main()
