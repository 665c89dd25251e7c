"""Choose what moves with a service and render the app modules it lands in.

Members come from the plan. A name a member uses that resolves inside the source tree moves
too when it is a member, or is *carried* (copied, with a ``# seam:`` note) when it is plain
code whose own dependencies can move: a helper function, a permission class, a constant.
Models of other domains are never carried: relations to them become id columns
(``relations``), and any other name that cannot move becomes a seam listed in the module.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

import libcst as cst
import libcst.matchers as m

from analysis.codemods.errors import SourceError
from analysis.codemods.imports import Needed, render_imports
from analysis.codemods.layout import TARGET_ORDER, app_label_of, is_model, target_for
from analysis.codemods.plan import ServicePlan
from analysis.codemods.relations import Decision, FieldSeam, rewrite_relations
from analysis.codemods.seams import Seam
from analysis.codemods.sources import (
    SourceModule,
    SourceTree,
    Symbol,
    dotted,
    import_module_name,
)
from analysis.codemods.usage import Use, collect_uses


@dataclass
class Placement:
    symbol_id: str
    source: SourceModule
    node: Symbol
    target: str
    carried: bool
    # Filled by ``Copier.transform``: the rewritten node and the names it needs.
    code_node: Symbol | None = None
    deps: dict[str, str] = field(default_factory=dict)  # local name -> symbol id
    externals: set[Needed] = field(default_factory=set)


class _AttributeToName(cst.CSTTransformer):
    """``services.filter_titles`` -> ``filter_titles`` once the function moved with us."""

    def __init__(self, pairs: set[tuple[str, str]]) -> None:
        self.pairs = pairs

    def leave_Attribute(self, original: cst.Attribute,
                        updated: cst.Attribute) -> cst.BaseExpression:
        value = updated.value
        if isinstance(value, cst.Name) and (value.value, updated.attr.value) in self.pairs:
            return cst.Name(updated.attr.value)
        return updated


_NOTED = ("import", "import-time", "annotation", "local-import")


class _LocalImports(cst.CSTTransformer):
    """Re-point function-local imports of moved code at its new module."""

    def __init__(self, copier: Copier, placement: Placement) -> None:
        self.copier = copier
        self.placement = placement

    def leave_ImportFrom(self, original: cst.ImportFrom,
                         updated: cst.ImportFrom) -> cst.ImportFrom:
        home = self.copier.local_home(updated, self.placement)
        if home is None:
            return updated
        dots = len(home) - len(home.lstrip("."))
        module = cst.parse_expression(home.lstrip("."))
        return updated.with_changes(relative=[cst.Dot()] * dots, module=module)


class Copier:
    """Select the symbols of ``plan`` (and what they carry) and render their new modules."""

    def __init__(self, tree: SourceTree, plan: ServicePlan) -> None:
        self.tree = tree
        self.plan = plan
        self.members = self._expand(plan.members)
        self.placements: dict[str, Placement] = {}
        self.seams: list[Seam] = []
        self._carry: dict[str, bool] = {}

    def _expand(self, members: tuple[str, ...]) -> list[str]:
        ids: list[str] = []
        for member in members:
            if ":" in member:
                self.tree.symbol(member)  # fails early, naming the member
                ids.append(member)
                continue
            source = self.tree.module(member)
            ids += [f"{member}:{name}" for name in source.order
                    if isinstance(source.symbols[name], cst.ClassDef | cst.FunctionDef)]
        return list(dict.fromkeys(ids))

    # ------------------------------------------------------------------ resolution

    def _resolve_attr(self, module_id: str, name: str, attr: str) -> str | None:
        target = self.tree.resolve(module_id, name)
        if target is None or ":" in target:
            return None
        if self.tree.is_module(f"{target}.{attr}"):
            return None
        return self.tree.resolve(target, attr) if self.tree.is_module(target) else None

    def _movable(self, symbol_id: str) -> bool:
        return symbol_id in self.members or self._carryable(symbol_id)

    def _carryable(self, symbol_id: str) -> bool:
        if symbol_id in self._carry:
            return self._carry[symbol_id]
        self._carry[symbol_id] = True  # cycles: assume yes while deciding
        try:
            source, node = self.tree.symbol(symbol_id)
        except SourceError:
            self._carry[symbol_id] = False
            return False
        ok = not is_model(source, node) and target_for(source, node) is not None
        if ok:
            uses = collect_uses(node)
            own = symbol_id.partition(":")[2]
            for name in uses.names:
                dep = self.tree.resolve(source.module_id, name)
                if dep and ":" in dep and name != own and not self._movable(dep):
                    ok = False
                    break
            for (name, attr) in uses.attributes if ok else ():
                dep = self._resolve_attr(source.module_id, name, attr)
                if dep and ":" in dep and not self._movable(dep):
                    ok = False
                    break
        self._carry[symbol_id] = ok
        return ok

    def _place(self, symbol_id: str, carried: bool) -> None:
        if symbol_id in self.placements:
            return
        source, node = self.tree.symbol(symbol_id)
        target = target_for(source, node)
        if target is None:
            self.seams.append(Seam(source.rel_path, source.line_of(node), "not-copied",
                                   symbol_id, "an AppConfig"))
            return
        self.placements[symbol_id] = Placement(symbol_id, source, node, target, carried)

    def _model_ids(self) -> dict[tuple[str, str], str]:
        found = {}
        for symbol_id in self.members:
            source, node = self.tree.symbol(symbol_id)
            if is_model(source, node):
                found[(app_label_of(source), symbol_id.partition(":")[2])] = symbol_id
        return found

    def _decider(self, source: SourceModule, models: dict[tuple[str, str], str]):
        def decide(expr: cst.BaseExpression) -> Decision:
            if isinstance(expr, cst.SimpleString):
                value = expr.evaluated_value
                if value == "self":
                    return Decision(keep=True)
                label, _, name = str(value).rpartition(".")
                member = models.get((label or app_label_of(source), name))
                if member is None:
                    return Decision(keep=False)
                return Decision(keep=True, replacement=cst.SimpleString(
                    f'"{self.plan.name}.{name}"'))
            text = dotted(expr) or ""
            head, _, attr = text.partition(".")
            target = (self._resolve_attr(source.module_id, head, attr) if attr
                      else self.tree.resolve(source.module_id, head))
            return Decision(keep=bool(target and target in self.members))
        return decide

    # ------------------------------------------------------------------ selection

    def select(self) -> dict[str, Placement]:
        """Place every member, then everything carried, and transform each node."""
        for member in self.members:
            self._place(member, carried=False)
        models = self._model_ids()
        pending = list(self.placements)
        while pending:
            placement = self.placements[pending.pop(0)]
            before = set(self.placements)
            self._transform(placement, models)
            pending += [i for i in self.placements if i not in before]
        self._check_names()
        return self.placements

    def _transform(self, placement: Placement, models: dict[tuple[str, str], str]) -> None:
        source, node = placement.source, placement.node
        field_seams: list[FieldSeam] = []
        if placement.target == "models.py" and isinstance(node, cst.ClassDef):
            node, field_seams = rewrite_relations(node, self._decider(source, models),
                                                  source.line_of, source.rel_path)
        for seam in field_seams:
            self.seams.append(Seam(source.rel_path, seam.line, seam.kind,
                                   f"{placement.symbol_id}.{seam.field}", seam.target,
                                   placement.target))
        # Rewritten nodes lose their positions: lines and timing come from the original.
        located = collect_uses(placement.node, source.positions)
        uses = collect_uses(node)
        own = placement.symbol_id.partition(":")[2]
        pairs: set[tuple[str, str]] = set()
        for (name, attr), use in uses.attributes.items():
            use = located.attributes.get((name, attr), use)
            dep = self._resolve_attr(source.module_id, name, attr)
            if dep is None or ":" not in dep:
                continue
            if self._movable(dep):
                pairs.add((name, attr))
                self._need(placement, attr, dep)
            else:
                self._seam(placement, use, dep)
        if pairs:
            node = node.visit(_AttributeToName(pairs))  # type: ignore[assignment]
        for name, use in collect_uses(node).names.items():
            use = located.names.get(name, use)
            if name == own and isinstance(node, cst.ClassDef | cst.FunctionDef):
                continue
            dep = self.tree.resolve(source.module_id, name)
            binding = source.bindings.get(name)
            if dep is None:
                if binding is not None and not self.tree.owns(binding.module):
                    placement.externals.add(Needed(binding.module, binding.name, name))
                elif name == "models" and binding is None and field_seams:
                    placement.externals.add(Needed("django.db", "models", "models"))
            elif ":" in dep:
                if self._movable(dep):
                    self._need(placement, name, dep)
                else:
                    self._seam(placement, use, dep)
        placement.code_node = node.visit(_LocalImports(self, placement))  # type: ignore[assignment]
        self._local_imports(placement)

    def local_home(self, node: cst.ImportFrom, placement: Placement) -> str | None:
        """The new home of a function-local ``from <monolith> import ...``, if all of it moves."""
        module = import_module_name(node, placement.source.package)
        if not self.tree.owns(module) or isinstance(node.names, cst.ImportStar):
            return None
        homes = set()
        for alias in node.names:
            dep = self.tree.resolve(module, dotted(alias.name) or "") if self.tree.is_module(
                module) else None
            if dep is None or ":" not in dep or not self._movable(dep):
                return None
            self._place(dep, carried=dep not in self.members)
            homes.add(self.placements[dep].target if dep in self.placements else "")
        if len(homes) != 1 or "" in homes:
            return None
        depth = placement.target.count("/")
        return "." * (depth + 1) + homes.pop()[:-3].replace("/", ".")

    def _local_imports(self, placement: Placement) -> None:
        """Imports inside the copied code that still name the monolith (and stay)."""
        source = placement.source
        for found in m.findall(placement.node, m.Import() | m.ImportFrom()):
            if isinstance(found, cst.ImportFrom):
                if self.local_home(found, placement) is not None:
                    continue
                modules = [import_module_name(found, source.package)]
            else:
                aliases = found.names if isinstance(found, cst.Import) else ()
                modules = [dotted(alias.name) or "" for alias in aliases]
            for module in modules:
                if self.tree.owns(module):
                    self.seams.append(Seam(source.rel_path, source.line_of(found),
                                           "local-import", placement.symbol_id, module,
                                           placement.target))

    def _need(self, placement: Placement, local: str, dep: str) -> None:
        placement.deps[local] = dep
        if dep not in self.placements:
            self._place(dep, carried=dep not in self.members)

    def _seam(self, placement: Placement, use: Use, dep: str) -> None:
        kind = "annotation" if use.annotation else "import-time" if use.import_time else "import"
        self.seams.append(Seam(placement.source.rel_path, use.line, kind,
                               placement.symbol_id, dep, placement.target))

    def _check_names(self) -> None:
        seen: dict[tuple[str, str], str] = {}
        for symbol_id, placement in self.placements.items():
            key = (placement.target, symbol_id.partition(":")[2])
            if key in seen:
                raise SourceError(f"{seen[key]} and {symbol_id} would both be "
                                  f"{key[1]} in {key[0]}; rename one before extracting")
            seen[key] = symbol_id

    # ------------------------------------------------------------------ rendering

    def targets(self) -> list[str]:
        found = {p.target for p in self.placements.values()}
        ordered = [t for t in TARGET_ORDER if t in found]
        return ordered + sorted(found - set(ordered))

    def render(self, target: str, header: str) -> str:
        """The text of one app module: docstring, imports, seam notes, copied code."""
        placed = self._ordered([p for p in self.placements.values() if p.target == target])
        needed: set[Needed] = set()
        future = False
        depth = target.count("/")
        for placement in placed:
            needed |= placement.externals
            future |= "annotations" in placement.source.bindings or any(
                s.kind == "annotation" and s.symbol == placement.symbol_id for s in self.seams)
            for local, dep in placement.deps.items():
                home = self.placements.get(dep)
                if home is None or home.target == target:
                    continue
                module = "." * (depth + 1) + home.target[:-3].replace("/", ".")
                needed.add(Needed(module, dep.partition(":")[2], local))
        imports = render_imports(needed, future=future)
        docstring = textwrap.fill(f'"""{header}"""', width=99)
        parts = [docstring + (f"\n\n{imports}" if imports else "")]
        notes = sorted({f"#   {s.target} (used by {s.symbol.partition(':')[2]}, "
                        f"{s.file}:{s.line})" for s in self.seams
                        if s.written_to == target and s.kind in _NOTED})
        if notes:
            parts.append("# Seams left to cut: names the copied code uses that stay in the "
                         "monolith.\n" + "\n".join(notes))
        for placement in placed:
            parts.append(self._code(placement))
        return "\n\n\n".join(p for p in parts if p).rstrip() + "\n"

    def _code(self, placement: Placement) -> str:
        node = placement.code_node or placement.node
        text = placement.source.code(node).lstrip("\n")
        lines = text.splitlines()
        while lines and not lines[0].strip():
            lines.pop(0)
        text = "\n".join(lines)
        if placement.carried:
            where = f"{placement.source.rel_path}:{placement.source.line_of(placement.node)}"
            text = (f"# seam: copied from {where}, shared code that is not a member of "
                    f"{self.plan.name};\n# the monolith keeps its own {placement.symbol_id}.\n"
                    + text)
        return text

    def _ordered(self, placed: list[Placement]) -> list[Placement]:
        """Source order, moved so a class-body use comes after the definition it needs."""
        modules = list(dict.fromkeys(m.partition(":")[0] for m in self.members))
        placed.sort(key=lambda p: (
            modules.index(p.source.module_id) if p.source.module_id in modules else len(modules),
            p.source.module_id, p.source.line_of(p.node)))
        ids = {p.symbol_id for p in placed}
        done: list[Placement] = []
        remaining = list(placed)
        while remaining:
            ready = next((p for p in remaining if all(
                d not in ids or d in {q.symbol_id for q in done} or d == p.symbol_id
                for d in p.deps.values())), remaining[0])
            remaining.remove(ready)
            done.append(ready)
        return done
