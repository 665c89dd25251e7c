"""The source tree the codemods copy from: modules parsed with libcst, their symbols and imports.

A ``SourceTree`` finds a module's file from its dotted id (``monolith.core.models`` under the
analysed root's parent), parses it once, and answers what a top-level name is bound to: a
symbol defined there, an import of another module or symbol, or nothing known.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from analysis.codemods.errors import SourceError

Symbol = cst.ClassDef | cst.FunctionDef | cst.SimpleStatementLine


def dotted(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = dotted(node.value)
        return None if head is None else f"{head}.{node.attr.value}"
    return None


@dataclass(frozen=True)
class Binding:
    """A module-level name bound by an import statement."""

    local: str
    module: str  # absolute module the statement names
    name: str | None  # the imported attribute for ``from m import name``; None for ``import m``
    line: int
    asname: bool  # the statement renames (``as``)


@dataclass
class SourceModule:
    """One parsed module: its top-level symbols and import bindings, with lines."""

    module_id: str
    path: Path
    rel_path: str  # as seams show it: relative to the root's parent
    tree: cst.Module
    positions: dict
    symbols: dict[str, Symbol] = field(default_factory=dict)
    bindings: dict[str, Binding] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)

    def line_of(self, node: cst.CSTNode) -> int:
        position = self.positions.get(node)
        return position.start.line if position is not None else 0

    def code(self, node: cst.CSTNode) -> str:
        return self.tree.code_for_node(node)

    @property
    def package(self) -> str:
        is_package = self.path.name == "__init__.py"
        return self.module_id if is_package else self.module_id.rpartition(".")[0]


def _assigned_names(line: cst.SimpleStatementLine) -> list[str]:
    names = []
    for statement in line.body:
        targets: list[cst.BaseExpression] = []
        if isinstance(statement, cst.Assign):
            targets = [t.target for t in statement.targets]
        elif isinstance(statement, cst.AnnAssign | cst.AugAssign):
            targets = [statement.target]
        names += [t.value for t in targets if isinstance(t, cst.Name)]
    return names


def resolve_relative(package: str, relative: int, module: str | None) -> str:
    """The absolute module of ``from ..x import y`` written in ``package``."""
    parts = package.split(".")
    base = parts[: len(parts) - (relative - 1)] if relative > 1 else parts
    return ".".join([*base, module] if module else base)


def import_module_name(node: cst.ImportFrom, package: str) -> str:
    module = dotted(node.module) if node.module is not None else None
    if node.relative:
        return resolve_relative(package, len(node.relative), module)
    return module or ""


class SourceTree:
    """Modules under ``root`` (a package directory such as ``monolith/``), parsed on demand."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.base = self.root.parent
        self.package = self.root.name
        self._modules: dict[str, SourceModule] = {}

    def owns(self, module_id: str) -> bool:
        return module_id == self.package or module_id.startswith(self.package + ".")

    def file_of(self, module_id: str) -> Path | None:
        if not self.owns(module_id):
            return None
        path = self.base.joinpath(*module_id.split("."))
        for candidate in (path.with_suffix(".py"), path / "__init__.py"):
            if candidate.is_file():
                return candidate
        return None

    def is_module(self, module_id: str) -> bool:
        return self.file_of(module_id) is not None

    def module(self, module_id: str) -> SourceModule:
        if module_id not in self._modules:
            path = self.file_of(module_id)
            if path is None:
                raise SourceError(f"module {module_id} not found under {self.root} "
                                  "(is --root the analysed package?)")
            self._modules[module_id] = self._parse(module_id, path)
        return self._modules[module_id]

    def _parse(self, module_id: str, path: Path) -> SourceModule:
        rel = path.relative_to(self.base).as_posix()
        try:
            wrapper = MetadataWrapper(cst.parse_module(path.read_bytes()))
        except cst.ParserSyntaxError as exc:
            raise SourceError(f"{rel}:{exc.raw_line}: does not parse ({exc.message})") from None
        positions = dict(wrapper.resolve(PositionProvider))
        source = SourceModule(module_id, path, rel, wrapper.module, positions)
        package = source.package
        for statement in wrapper.module.body:
            if isinstance(statement, cst.ClassDef | cst.FunctionDef):
                source.symbols[statement.name.value] = statement
                source.order.append(statement.name.value)
            elif isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    self._bind(source, small, package, source.line_of(statement))
                for name in _assigned_names(statement):
                    source.symbols.setdefault(name, statement)
                    source.order.append(name)
        return source

    @staticmethod
    def _bind(source: SourceModule, small: cst.BaseSmallStatement, package: str,
              line: int) -> None:
        if isinstance(small, cst.Import):
            for alias in small.names:
                full = dotted(alias.name) or ""
                # ``import a.b as c``: the grammar allows only a name after ``as`` here.
                asname = alias.asname.name if alias.asname is not None else None
                local = asname.value if isinstance(asname, cst.Name) else full.split(".")[0]
                target = full if alias.asname else full.split(".")[0]
                renamed = alias.asname is not None
                source.bindings[local] = Binding(local, target, None, line, renamed)
        elif isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
            module = import_module_name(small, package)
            for alias in small.names:
                name = dotted(alias.name) or ""
                asname = alias.asname.name if alias.asname is not None else None
                local = asname.value if isinstance(asname, cst.Name) else name
                source.bindings[local] = Binding(local, module, name, line,
                                                 alias.asname is not None)

    def resolve(self, module_id: str, name: str, depth: int = 0) -> str | None:
        """What ``name`` in ``module_id`` is: ``"mod:Name"``, ``"mod"`` (a module), or None.

        None means it comes from outside the tree (Django, the standard library) or is unknown.
        Re-exports (``from .facade import get_catalog`` in a package) are followed.
        """
        source = self.module(module_id)
        if name in source.symbols:
            return f"{module_id}:{name}"
        binding = source.bindings.get(name)
        if binding is None or depth > 8:
            return None
        if binding.name is None:
            return binding.module if self.owns(binding.module) else None
        candidate = f"{binding.module}.{binding.name}"
        if self.is_module(candidate):
            return candidate
        if not self.owns(binding.module) or not self.is_module(binding.module):
            return None
        return self.resolve(binding.module, binding.name, depth + 1) or (
            f"{binding.module}:{binding.name}")

    def symbol(self, symbol_id: str) -> tuple[SourceModule, Symbol]:
        module_id, _, name = symbol_id.partition(":")
        source = self.module(module_id)
        node = source.symbols.get(name)
        if node is None:
            raise SourceError(f"{source.rel_path}: no top-level class, function or assignment "
                              f"named {name!r} (plan member {symbol_id})")
        return source, node
