"""Name resolution: what a dotted name in a module means across the analysed code.

``NameIndex`` is built once from every file's facts. ``resolve(module, "models.Title")``
follows imports (absolute, relative, star, re-exports through ``__init__``) and module
attributes to a ``Target``: an analysed module, a top-level symbol, a module-level variable,
or something external (kept as its dotted name).
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.facts import FileFacts, ImportFact

_MAX_DEPTH = 8


@dataclass(frozen=True, slots=True)
class Target:
    kind: str  # "module" | "symbol" | "variable" | "external"
    module: str  # analysed module, or the external dotted name
    name: str = ""
    consumed: int = 0  # how many dotted parts the resolution used

    @property
    def node_id(self) -> str | None:
        if self.kind == "symbol":
            return f"{self.module}:{self.name}"
        if self.kind in {"module", "variable"}:
            return self.module
        return None

    @property
    def key(self) -> str:
        """A stable identity: ``mod:name`` for symbols/variables, the dotted name otherwise."""
        return f"{self.module}:{self.name}" if self.name else self.module


def absolute_module(module: str, is_package: bool, level: int, name: str) -> str:
    """The absolute module of a (possibly relative) import written in ``module``."""
    if level == 0:
        return name
    parts = module.split(".")
    if not is_package:
        parts = parts[:-1]
    if level > 1:
        parts = parts[: len(parts) - (level - 1)] if level - 1 <= len(parts) else []
    return ".".join([*parts, name] if name else parts)


@dataclass(frozen=True, slots=True)
class _Binding:
    kind: str  # "module" | "from" | "local" | "assign"
    module: str
    name: str = ""
    line: int = 0  # where an import bound it


class NameIndex:
    def __init__(self, facts: dict[str, FileFacts]) -> None:
        self.modules = frozenset(facts)
        self._scopes: dict[str, dict[str, _Binding]] = {}
        self._stars: dict[str, list[str]] = {}
        self.symbols: dict[str, dict[str, str]] = {}  # module -> name -> "class"|"function"
        self._resolved: dict[tuple[str, str], Target | None] = {}
        self._looked_up: dict[tuple[str, str], Target | None] = {}
        for module, file_facts in facts.items():
            self._index(module, file_facts)

    def _index(self, module: str, facts: FileFacts) -> None:
        scope: dict[str, _Binding] = {}
        stars: list[str] = []
        for assign in facts.assigns:
            scope[assign.name] = _Binding("assign", module, assign.name)
        for imp in facts.imports:
            if imp.scope or imp.dynamic:
                continue  # function-level imports do not bind module names
            self._bind_import(module, facts.is_package, imp, scope, stars)
        self.symbols[module] = {s.name: s.kind for s in facts.symbols}
        for symbol in facts.symbols:
            scope[symbol.name] = _Binding("local", module, symbol.name)
        self._scopes[module] = scope
        self._stars[module] = stars

    def _bind_import(
        self,
        module: str,
        is_package: bool,
        imp: ImportFact,
        scope: dict[str, _Binding],
        stars: list[str],
    ) -> None:
        target = absolute_module(module, is_package, imp.level, imp.module)
        if not imp.name:
            if imp.alias:
                scope[imp.alias] = _Binding("module", target, line=imp.line)
            else:
                head = target.partition(".")[0]
                scope.setdefault(head, _Binding("module", head, line=imp.line))
        elif imp.name == "*":
            stars.append(target)
        else:
            scope[imp.alias or imp.name] = _Binding("from", target, imp.name, imp.line)

    def import_line(self, module: str, name: str) -> int:
        """The line of the module-level import that binds ``name`` (0 if none does)."""
        binding = self._scopes.get(module, {}).get(name)
        return binding.line if binding is not None else 0

    def import_target(self, module: str, is_package: bool, imp: ImportFact) -> Target | None:
        """What an import statement points at (module, symbol, variable or external)."""
        base = absolute_module(module, is_package, imp.level, imp.module)
        if not imp.name or imp.name == "*":
            return self._module_target(base)
        return self._member(base, imp.name, 0)

    def resolve(self, module: str, dotted: str) -> Target | None:
        """What ``dotted`` means in ``module`` (memoised: the index never changes)."""
        key = (module, dotted)
        if key in self._resolved:
            return self._resolved[key]
        parts = dotted.split(".")
        target = self._lookup(module, parts[0], 0)
        if target is not None:
            consumed = 1
            for part in parts[1:]:
                if target.kind == "module":
                    following = self._member(target.module, part, 0)
                    if following is None:
                        break
                    target = following
                elif target.kind == "external":
                    target = Target("external", f"{target.module}.{part}")
                else:
                    break
                consumed += 1
            target = Target(target.kind, target.module, target.name, consumed)
        self._resolved[key] = target
        return target

    def _module_target(self, module: str) -> Target:
        kind = "module" if module in self.modules else "external"
        return Target(kind, module, consumed=1)

    def _lookup(self, module: str, name: str, depth: int) -> Target | None:
        key = (module, name)
        if key in self._looked_up:
            return self._looked_up[key]
        found = self._lookup_uncached(module, name, depth)
        if depth == 0 or found is not None:
            # A miss deep in a chain may only be the depth guard talking: not cached.
            self._looked_up[key] = found
        return found

    def _lookup_uncached(self, module: str, name: str, depth: int) -> Target | None:
        binding = self._scopes.get(module, {}).get(name)
        if binding is None:
            for star in self._stars.get(module, ()):
                if star in self.modules and depth < _MAX_DEPTH:
                    found = self._lookup(star, name, depth + 1)
                    if found is not None:
                        return found
            return None
        if binding.kind == "local":
            return Target("symbol", module, name, 1)
        if binding.kind == "assign":
            return Target("variable", module, name, 1)
        if binding.kind == "module":
            return self._module_target(binding.module)
        return self._member(binding.module, binding.name, depth + 1)

    def _member(self, module: str, name: str, depth: int) -> Target | None:
        """``name`` looked up as an attribute of ``module`` (submodule first, like Python)."""
        submodule = f"{module}.{name}"
        if submodule in self.modules:
            return Target("module", submodule, consumed=1)
        if module not in self.modules:
            return Target("external", submodule, consumed=1)
        if depth >= _MAX_DEPTH:
            return None
        return self._lookup(module, name, depth + 1)
