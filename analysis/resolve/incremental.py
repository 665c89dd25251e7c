"""Incremental resolution: an edited file re-resolves only what it can change.

Given the stored ``ResolveState`` and the old and new facts of the edited modules,
``plan_update`` returns the evidence to take away and to add, file by file, or ``None``
when the edit may change a cross-file input and only a full resolution is safe.

Which modules are re-resolved: the edited ones, plus every module whose name lookups read
a name the edit rebinds in an edited module's scope (found through ``readers``, the record
of which lookup read which, walked back to the modules that asked).

When it falls back (returns ``None``):

- an edited module has settings or URLconf entries (INSTALLED_APPS, AppConfig discovery,
  ROOT_URLCONF and URL prefixes are whole-project inputs), before or after the edit;
- a re-resolved module reaches a URLconf module (its patterns would need the URL walk);
- what a re-resolved module feeds the cross-file indexes changes (class bases and what they
  resolve to, Meta/AppConfig literals, relations, Celery tasks, signal receivers and senders);
- too many modules depend on the edit for the incremental path to pay.

Otherwise the cross-file indexes are the same after the edit, so each re-resolved module's
new evidence is exactly what a full resolution would give it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from analysis.facts import FileFacts
from analysis.records import EdgeRecord, NodeRecord
from analysis.resolve import module_nodes
from analysis.resolve.django import is_model_base
from analysis.resolve.edges import EdgeBuilder
from analysis.resolve.names import NameIndex, Reader
from analysis.resolve.state import ResolveState, ShardedReaders

# Above this share of all modules, re-resolving the dependents costs about a full run.
MAX_SHARE = 0.05
MAX_MODULES = 300


@dataclass(frozen=True, slots=True)
class FilePatch:
    """One file's evidence before and after, and (for an edited module) its nodes."""

    module: str
    removed: tuple[EdgeRecord, ...]
    added: tuple[EdgeRecord, ...]
    old_nodes: tuple[NodeRecord, ...] = ()
    new_nodes: tuple[NodeRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class Update:
    patches: dict[str, FilePatch]  # by file
    readers: dict[tuple[str, str], set[Reader]]  # lookups the new resolution recorded
    resolved: int  # modules resolved again (edited ones and their dependents)


FactsLoader = Callable[[Iterable[str]], dict[str, FileFacts]]  # files -> facts by file


def plan_update(
    state: ResolveState,
    old: dict[str, FileFacts],
    new: dict[str, FileFacts],
    load: FactsLoader,
) -> Update | None:
    """The evidence patch for edited modules (``old``/``new``: facts by module)."""
    if set(old) != set(new):
        return None
    for module in new:
        if module not in state.files or _global_input(old[module]) or _global_input(new[module]):
            return None
    old_names = NameIndex(tables=state.tables)
    new_names = NameIndex(tables=state.tables)
    for module, facts in new.items():
        new_names.reindex(module, facts)
    dependents = _dependents(state, old_names, new_names, set(new))
    if dependents is None:
        return None
    facts_old = dict(old)
    facts_new = dict(new)
    if dependents:
        loaded = load([state.files[module] for module in dependents])
        for module in dependents:
            dependent = loaded.get(state.files[module])
            if dependent is None or _global_input(dependent, urls_only=True):
                return None
            facts_old[module] = facts_new[module] = dependent
    old_builder = state.builder(old_names)
    new_builder = state.builder(new_names)
    patches: dict[str, FilePatch] = {}
    listening = state.listening()
    for module in sorted(facts_new):
        before, after = facts_old[module], facts_new[module]
        if _contribution(old_builder, module, before) != _contribution(new_builder, module, after):
            return None
        file = state.files[module]
        removed = _records(old_builder, module, before, file)
        added = _records(new_builder, module, after, file)
        if module in new:
            old_nodes = module_nodes(module, before, file, old_builder, state.views, listening)
            new_nodes = module_nodes(module, after, file, new_builder, state.views, listening)
            patches[file] = FilePatch(module, removed, added, tuple(old_nodes), tuple(new_nodes))
        elif removed != added:
            patches[file] = FilePatch(module, removed, added)
    return Update(patches, new_names.readers, len(facts_new))


def _global_input(facts: FileFacts, *, urls_only: bool = False) -> bool:
    return bool(facts.urls) or (not urls_only and bool(facts.settings))


def _records(builder: EdgeBuilder, module: str, facts: FileFacts, file: str) -> tuple[EdgeRecord, ...]:
    return tuple(r for r in builder.edges(module, facts, file) if r.source != r.target)


def _dependents(
    state: ResolveState, old: NameIndex, new: NameIndex, edited: set[str]
) -> set[str] | None:
    """Modules (not edited) whose lookups read a name an edited module rebinds."""
    start: list[tuple[str, str]] = []
    for module in edited:
        old_scope, old_stars = old.scope_view(module)
        new_scope, new_stars = new.scope_view(module)
        if old_stars != new_stars:
            # Any name not bound in the scope itself was looked up through the stars.
            start.extend(_keys_of(state, module))
            continue
        names = set(old_scope) | set(new_scope)
        start.extend((module, n) for n in names if old_scope.get(n) != new_scope.get(n))
    limit = min(MAX_MODULES, max(1, int(len(state.files) * MAX_SHARE)))
    found: set[str] = set()
    seen = set(start)
    stack = list(start)
    readers = state.readers
    while stack:
        key = stack.pop()
        if key[0] not in edited:
            found.add(key[0])  # the module owning a changed lookup uses it itself
        for reader in readers.get(key, ()):
            if isinstance(reader, str):
                if reader not in edited:
                    found.add(reader)
            elif reader not in seen:
                seen.add(reader)
                stack.append(reader)
        if len(found) > limit:
            return None
    return found


def _keys_of(state: ResolveState, module: str) -> list[tuple[str, str]]:
    """Every looked-up name of ``module`` in the stored lookups."""
    readers = state.readers
    if isinstance(readers, ShardedReaders):
        return readers.keys_of(module)
    return [key for key in readers if key[0] == module]


def _contribution(builder: EdgeBuilder, module: str, facts: FileFacts) -> tuple[object, ...]:
    """What ``module`` feeds the cross-file indexes (lines left out: none of them keeps one)."""
    classes = tuple(
        (s.name, roles)
        for s in facts.symbols
        if s.kind == "class" and s.bases and any(roles := _roles(builder, module, s.bases))
    )
    with_roles = {name for name, _ in classes}  # only their Meta/AppConfig literals count
    bodies = tuple(
        (b.cls, b.attr, b.value, b.in_meta, b.literal)
        for b in facts.class_bodies
        if b.cls in with_roles
        and ((b.in_meta and b.literal) or (not b.in_meta and b.attr in {"name", "label"}))
    )
    relations = tuple(
        (r.model, r.field, r.related_name, builder.relation_target(module, r))
        for r in facts.relations
    )
    sends = tuple(
        (builder.signal_key(module, s.signal), builder.source(module, s.scope))
        for s in facts.signal_sends
    )
    receivers = tuple(
        (builder.receiver_node(module, r.receiver), builder.signal_key(module, r.signal))
        for r in facts.receivers
    )
    tasks = tuple(task.name for task in facts.tasks)
    return classes, bodies, relations, sends, receivers, tasks


def _roles(builder: EdgeBuilder, module: str, bases: tuple[str, ...]) -> tuple[bool, bool, bool]:
    """Whether a class with ``bases`` is a model, an AppConfig, a serializer, by the rules
    of the cross-file fixed points applied to the stored sets. The stored sets stay a fixed
    point (the same one) as long as every re-resolved class keeps its roles."""
    django = builder.django
    model = config = serializer = False
    for base in bases:
        target = builder.names.resolve(module, base)
        node = target.node_id if target is not None else None
        external = target is None or target.kind == "external"
        model = model or is_model_base(target, django.models)
        config = config or (external and base.rpartition(".")[2] == "AppConfig")
        config = config or node in django.app_configs
        serializer = serializer or (external and base.endswith("Serializer"))
        serializer = serializer or node in builder.serializers
    return model, config, serializer
