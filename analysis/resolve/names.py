"""Name resolution: what a dotted name in a module means across the analysed code.

``NameIndex`` is built once from every file's facts. ``resolve(module, "models.Title")``
follows imports (absolute, relative, star, re-exports through ``__init__``) and module
attributes to a ``Target``: an analysed module, a top-level symbol, a module-level variable,
or something external (kept as its dotted name).

For incremental runs the index also records who read what: ``readers[(module, name)]``
holds the lookups (``(module, name)`` keys) and the modules (plain strings) whose answer
used ``name`` in ``module``'s scope, so an edit to a module's scope finds every module whose
resolution may change by walking these back. Answers are memoised, but never depend on the
order of queries: a memoised answer is used only where a fresh lookup would give the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from analysis.facts import FileFacts, ImportFact

_MAX_DEPTH = 8
_UNGUARDED = -(10**6)  # a memoised lookup that never consulted the depth guard


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


# (kind, module, name, line): kind is "module" | "from" | "local" | "assign"; line is where
# an import bound it. A plain tuple: the stored scopes are unpickled at C speed.
Binding = tuple[str, str, str, int]
# Final literals, so that a type checker knows which field each index reads.
_KIND: Final = 0
_MODULE: Final = 1
_NAME: Final = 2
_LINE: Final = 3
Reader = str | tuple[str, str]  # a module (top-level query) or a (module, name) lookup


@dataclass(frozen=True, slots=True)
class NameTables:
    """What a ``NameIndex`` is built from, storable: scopes, star imports, symbols."""

    modules: frozenset[str]
    scopes: dict[str, dict[str, Binding]]
    stars: dict[str, list[str]]
    symbols: dict[str, dict[str, str]]


class NameIndex:
    def __init__(
        self, facts: dict[str, FileFacts] | None = None, *, tables: NameTables | None = None
    ) -> None:
        self._scopes: dict[str, dict[str, Binding]] = {}
        self._stars: dict[str, list[str]] = {}
        self.symbols: dict[str, dict[str, str]] = {}  # module -> name -> "class"|"function"
        self._resolved: dict[tuple[str, str], Target | None] = {}
        # (module, name) -> (answer, how much deeper than its start the lookup consulted the
        # depth guard, or _UNGUARDED)
        self._looked_up: dict[tuple[str, str], tuple[Target | None, int]] = {}
        self._deepest = -1  # deepest depth at which the guard was consulted (current lookup)
        self.readers: dict[tuple[str, str], set[Reader]] = {}
        self.truncated = False  # some lookup was cut short by the depth guard (information)
        if tables is not None:
            self.modules = tables.modules
            # Shallow copies: ``reindex`` replaces one module's entries, never mutates them.
            self._scopes = dict(tables.scopes)
            self._stars = dict(tables.stars)
            self.symbols = dict(tables.symbols)
            return
        facts = facts or {}
        self.modules = frozenset(facts)
        for module, file_facts in facts.items():
            self._index(module, file_facts)

    def tables(self) -> NameTables:
        return NameTables(self.modules, self._scopes, self._stars, self.symbols)

    def reindex(self, module: str, facts: FileFacts) -> None:
        """Replace one module's scope (an edited file); memoised answers are dropped."""
        self._index(module, facts)
        self._resolved.clear()
        self._looked_up.clear()

    def scope_view(self, module: str) -> tuple[dict[str, tuple[str, str, str]], list[str]]:
        """A module's scope as others see it (import lines left out) and its star imports."""
        scope = {
            name: binding[:3]
            for name, binding in self._scopes.get(module, {}).items()
        }
        return scope, self._stars.get(module, [])

    def _index(self, module: str, facts: FileFacts) -> None:
        scope: dict[str, Binding] = {}
        stars: list[str] = []
        for assign in facts.assigns:
            scope[assign.name] = ("assign", module, assign.name, 0)
        for imp in facts.imports:
            if imp.scope or imp.dynamic:
                continue  # function-level imports do not bind module names
            self._bind_import(module, facts.is_package, imp, scope, stars)
        self.symbols[module] = {s.name: s.kind for s in facts.symbols}
        for symbol in facts.symbols:
            scope[symbol.name] = ("local", module, symbol.name, 0)
        self._scopes[module] = scope
        self._stars[module] = stars

    def _bind_import(
        self,
        module: str,
        is_package: bool,
        imp: ImportFact,
        scope: dict[str, Binding],
        stars: list[str],
    ) -> None:
        target = absolute_module(module, is_package, imp.level, imp.module)
        if not imp.name:
            if imp.alias:
                scope[imp.alias] = ("module", target, "", imp.line)
            else:
                head = target.partition(".")[0]
                scope.setdefault(head, ("module", head, "", imp.line))
        elif imp.name == "*":
            stars.append(target)
        else:
            scope[imp.alias or imp.name] = ("from", target, imp.name, imp.line)

    def import_line(self, module: str, name: str) -> int:
        """The line of the module-level import that binds ``name`` (0 if none does)."""
        binding = self._scopes.get(module, {}).get(name)
        return binding[_LINE] if binding is not None else 0

    def import_target(self, module: str, is_package: bool, imp: ImportFact) -> Target | None:
        """What an import statement points at (module, symbol, variable or external)."""
        base = absolute_module(module, is_package, imp.level, imp.module)
        if not imp.name or imp.name == "*":
            return self._module_target(base)
        return self._member(base, imp.name, 0, module)

    def resolve(self, module: str, dotted: str) -> Target | None:
        """What ``dotted`` means in ``module`` (memoised: the index never changes)."""
        key = (module, dotted)
        if key in self._resolved:
            return self._resolved[key]
        parts = dotted.split(".")
        target = self._lookup(module, parts[0], 0, module)
        if target is not None:
            consumed = 1
            for part in parts[1:]:
                if target.kind == "module":
                    following = self._member(target.module, part, 0, module)
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

    def _lookup(self, module: str, name: str, depth: int, reader: Reader) -> Target | None:
        key = (module, name)
        if reader != module:  # a module's own names: it is re-resolved when it changes
            readers = self.readers.get(key)
            if readers is None:
                self.readers[key] = {reader}
            else:
                readers.add(reader)
        memo = self._looked_up.get(key)
        # A memoised answer stands for a fresh lookup only where the depth guard would not
        # have cut that lookup short: so answers never depend on the order of queries.
        if memo is not None and depth + memo[1] < _MAX_DEPTH:
            if depth + memo[1] > self._deepest:
                self._deepest = depth + memo[1]
            return memo[0]
        outer = self._deepest
        self._deepest = -1
        found = self._lookup_uncached(module, name, depth)
        deepest = self._deepest
        if deepest < _MAX_DEPTH:  # not cut short: valid wherever it fits
            self._looked_up[key] = (found, deepest - depth if deepest >= 0 else _UNGUARDED)
        else:
            self.truncated = True
        self._deepest = max(outer, deepest)
        return found

    def _lookup_uncached(self, module: str, name: str, depth: int) -> Target | None:
        binding = self._scopes.get(module, {}).get(name)
        if binding is None:
            for star in self._stars.get(module, ()):
                if star in self.modules:
                    if depth > self._deepest:
                        self._deepest = depth  # the depth guard is consulted here
                    if depth >= _MAX_DEPTH:
                        continue
                    found = self._lookup(star, name, depth + 1, (module, name))
                    if found is not None:
                        return found
            return None
        kind = binding[_KIND]
        if kind == "local":
            return Target("symbol", module, name, 1)
        if kind == "assign":
            return Target("variable", module, name, 1)
        if kind == "module":
            return self._module_target(binding[_MODULE])
        return self._member(binding[_MODULE], binding[_NAME], depth + 1, (module, name))

    def _member(self, module: str, name: str, depth: int, reader: Reader) -> Target | None:
        """``name`` looked up as an attribute of ``module`` (submodule first, like Python)."""
        submodule = f"{module}.{name}"
        if submodule in self.modules:
            return Target("module", submodule, consumed=1)
        if module not in self.modules:
            return Target("external", submodule, consumed=1)
        if depth > self._deepest:
            self._deepest = depth  # the depth guard is consulted here
        if depth >= _MAX_DEPTH:
            return None
        return self._lookup(module, name, depth + 1, reader)
