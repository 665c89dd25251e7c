"""Turn one module's facts into evidence records (``EdgeRecord``) using the indexes.

Every record keeps the file and line it came from. Only edges between nodes of the analysed
code are kept; names that resolve outside it (Django, the standard library) are dropped,
as are a node's references to itself and a symbol's uses of its own module's variables.
"""

from __future__ import annotations

from collections.abc import Iterator

from analysis.facts import FileFacts, OrmFact, RelationFact
from analysis.records import EdgeRecord, Location
from analysis.resolve.django import USER_MODEL, DjangoIndex
from analysis.resolve.names import NameIndex, Target

_DJANGO_USER = "auth.User"


class EdgeBuilder:
    def __init__(self, names: NameIndex, django: DjangoIndex, root: str) -> None:
        self.names = names
        self.django = django
        self.root = root
        self.tasks: set[str] = set()
        self.serializers: set[str] = set()
        self.receivers: set[str] = set()
        # signal key -> receiver / sending nodes (one entry per receiver or send fact)
        self.receivers_by_signal: dict[str, list[str]] = {}
        self.senders_by_signal: dict[str, list[str]] = {}
        # model id -> relation or reverse accessor name -> model id (for "a__b" lookups)
        self.relations_of: dict[str, dict[str, str]] = {}

    # indexes built before edges ---------------------------------------------------
    def relation_target(self, module: str, rel: RelationFact) -> str | None:
        """The model a relation field points at (None if not a model of the analysed code)."""
        return self._model(module, rel.target, literal=rel.literal, model=rel.model)

    def index_relations(self, module: str, facts: FileFacts) -> None:
        for rel in facts.relations:
            source = f"{module}:{rel.model}"
            target = self.relation_target(module, rel)
            if target is None or source not in self.django.models:
                continue
            self.relations_of.setdefault(source, {})[rel.field] = target
            reverse = self.relations_of.setdefault(target, {})
            if rel.related_name and rel.related_name != "+":
                reverse.setdefault(rel.related_name, source)
            reverse.setdefault(rel.model.lower(), source)
            reverse.setdefault(f"{rel.model.lower()}_set", source)

    def index_serializers(self, facts: dict[str, FileFacts]) -> None:
        """Serializer classes: a base named like ``*Serializer`` or a serializer of ours."""
        classes = [
            (module, symbol)
            for module, file_facts in facts.items()
            for symbol in file_facts.symbols
            if symbol.kind == "class" and symbol.bases
        ]
        changed = True
        while changed:
            changed = False
            for module, symbol in classes:
                node = f"{module}:{symbol.name}"
                if node in self.serializers:
                    continue
                for base in symbol.bases:
                    target = self.names.resolve(module, base)
                    external = target is None or target.kind == "external"
                    if (external and base.endswith("Serializer")) or (
                        target is not None and target.node_id in self.serializers
                    ):
                        self.serializers.add(node)
                        changed = True
                        break

    # helpers ---------------------------------------------------------------
    @staticmethod
    def source(module: str, scope: str) -> str:
        return f"{module}:{scope}" if scope else module

    def _node(self, target: Target | None) -> str | None:
        if target is None or target.kind == "external":
            return None
        return target.node_id

    def _model(self, module: str, text: str, *, literal: bool, model: str = "") -> str | None:
        """A model reference as written (class, "app.Model", "self", AUTH_USER_MODEL)."""
        if text == USER_MODEL or (not literal and text.endswith("AUTH_USER_MODEL")):
            text, literal = self.django.auth_user_model or _DJANGO_USER, True
        if literal:
            if text == "self":
                return f"{module}:{model}" if model else None
            return self.django.model_by_label(text, self.django.app_of(module, self.root))
        node = self._node(self.names.resolve(module, text))
        return node if node in self.django.models else None

    # per module --------------------------------------------------------------
    def edges(self, module: str, facts: FileFacts, file: str) -> Iterator[EdgeRecord]:
        yield from self._imports(module, facts, file)
        yield from self._references(module, facts, file)
        yield from self._relations(module, facts, file)
        yield from self._class_bindings(module, facts, file)
        yield from self._orm(module, facts, file)
        yield from self._celery(module, facts, file)
        yield from self._signals(module, facts, file)

    def _imports(self, module: str, facts: FileFacts, file: str) -> Iterator[EdgeRecord]:
        for imp in facts.imports:
            node = self._node(self.names.import_target(module, facts.is_package, imp))
            if node is None:
                continue
            detail = "type_checking" if imp.type_checking else "dynamic" if imp.dynamic else ""
            yield EdgeRecord(
                self.source(module, imp.scope), node, "import", Location(file, imp.line), detail
            )

    def _references(self, module: str, facts: FileFacts, file: str) -> Iterator[EdgeRecord]:
        parts_of = str.count
        for ref in facts.references:
            target = self.names.resolve(module, ref.target)
            node = self._node(target)
            if node is None or target is None:
                continue
            if target.kind == "variable" and target.module == module:
                continue  # a module's own globals are not a dependency
            full = target.consumed == parts_of(ref.target, ".") + 1
            kind = "call" if ref.kind == "call" and full else "reference"
            source = self.source(module, ref.scope)
            for line in ref.lines:
                yield EdgeRecord(source, node, kind, Location(file, line))
            if ref.scope:
                # A module-level import is also evidence against each symbol that uses it.
                import_line = self.names.import_line(module, ref.target.partition(".")[0])
                if import_line:
                    yield EdgeRecord(source, node, "import", Location(file, import_line), "used")
        for fact in facts.get_models:
            if fact.model == USER_MODEL:
                node = self._model(module, USER_MODEL, literal=True)
            else:
                node = self.django.model_by_label(f"{fact.label}.{fact.model}", "")
            if node:
                source = self.source(module, fact.scope)
                yield EdgeRecord(source, node, "reference", Location(file, fact.line), "get_model")

    def _relations(self, module: str, facts: FileFacts, file: str) -> Iterator[EdgeRecord]:
        for rel in facts.relations:
            node = self._model(module, rel.target, literal=rel.literal, model=rel.model)
            if node:
                source = f"{module}:{rel.model}"
                yield EdgeRecord(source, node, rel.kind, Location(file, rel.line), rel.field)

    def _class_bindings(self, module: str, facts: FileFacts, file: str) -> Iterator[EdgeRecord]:
        bases = {s.name: s.bases for s in facts.symbols}
        for body in facts.class_bodies:
            source = f"{module}:{body.cls}"
            location = Location(file, body.line)
            if body.in_meta and body.attr == "model":
                node = self._model(module, body.value, literal=False)
                is_serializer = source in self.serializers or any(
                    "Serializer" in b for b in bases.get(body.cls, ())
                )
                if node:
                    kind = "serializer" if is_serializer else "reference"
                    yield EdgeRecord(source, node, kind, location, "meta.model")
            elif not body.in_meta and body.attr == "serializer_class":
                node = self._node(self.names.resolve(module, body.value))
                if node:
                    yield EdgeRecord(source, node, "serializer", location, "serializer_class")
            elif not body.in_meta and body.attr == "queryset":
                node = self._model(module, body.value, literal=False)
                if node:
                    yield EdgeRecord(source, node, "orm", location, "read")
            elif body.attr == "field":
                node = self._node(self.names.resolve(module, body.value))
                if node in self.serializers:
                    yield EdgeRecord(source, node, "serializer", location, "nested")
            elif not body.in_meta and body.attr == "model":
                node = self._model(module, body.value, literal=False)
                if node:
                    yield EdgeRecord(source, node, "reference", location, "model")

    def orm_target(self, module: str, fact: OrmFact) -> str | None:
        return self._model(module, fact.model, literal=False)

    def _orm(self, module: str, facts: FileFacts, file: str) -> Iterator[EdgeRecord]:
        writes: list[tuple[str, int, str]] = []
        for fact in facts.orm:
            node = self.orm_target(module, fact)
            if node is None:
                continue
            source = self.source(module, fact.scope)
            location = Location(file, fact.line)
            yield EdgeRecord(source, node, "orm", location, fact.op)
            if source in self.receivers:
                # What a receiver does to data is coupling carried by the signal.
                yield EdgeRecord(source, node, "signal", location, f"receiver {fact.op}")
            for joined in self._joined_models(node, fact.lookups):
                yield EdgeRecord(source, joined, "orm", location, "read via lookup")
            if fact.op == "write":
                writes.append((fact.scope, fact.line, node))
        for atomic in facts.atomics:
            source = self.source(module, atomic.scope)
            for scope, line, node in writes:
                if scope == atomic.scope and atomic.line <= line <= atomic.end_line:
                    # Two records: the block's opening line and the write itself.
                    yield EdgeRecord(
                        source, node, "transaction", Location(file, atomic.line), "atomic"
                    )
                    yield EdgeRecord(source, node, "transaction", Location(file, line), "write")

    def _joined_models(self, model: str, lookups: tuple[str, ...]) -> set[str]:
        """Models reached by ``a__b__c`` lookups starting at ``model``."""
        found: set[str] = set()
        for lookup in lookups:
            current = model
            for part in lookup.split("__"):
                following = self.relations_of.get(current, {}).get(part)
                if following is None:
                    break
                current = following
                if current != model:
                    found.add(current)
        return found

    def _celery(self, module: str, facts: FileFacts, file: str) -> Iterator[EdgeRecord]:
        for call in facts.task_calls:
            node = self._node(self.names.resolve(module, call.task))
            if node in self.tasks:
                source = self.source(module, call.scope)
                yield EdgeRecord(source, node, "celery", Location(file, call.line), call.method)

    def receiver_node(self, module: str, text: str) -> str | None:
        """The node of a receiver function as named in ``module``."""
        receiver = self._node(self.names.resolve(module, text))
        if receiver is None and text in self.names.symbols.get(module, {}):
            receiver = f"{module}:{text}"
        return receiver

    def signal_key(self, module: str, text: str) -> str:
        target = self.names.resolve(module, text)
        if target is None:
            return text
        return target.key

    def collect_receivers(self, module: str, facts: FileFacts, file: str) -> None:
        """First pass: who listens to which signal, and who sends it."""
        for send in facts.signal_sends:
            key = self.signal_key(module, send.signal)
            self.senders_by_signal.setdefault(key, []).append(self.source(module, send.scope))
        for fact in facts.receivers:
            receiver = self.receiver_node(module, fact.receiver)
            if receiver:
                self.receivers.add(receiver)
                key = self.signal_key(module, fact.signal)
                self.receivers_by_signal.setdefault(key, []).append(receiver)

    def _signals(self, module: str, facts: FileFacts, file: str) -> Iterator[EdgeRecord]:
        for fact in facts.receivers:
            receiver = self._node(self.names.resolve(module, fact.receiver))
            if receiver is None:
                continue
            location = Location(file, fact.line)
            if fact.sender:
                sender = self._model(module, fact.sender, literal=fact.sender_literal)
                if sender is None and not fact.sender_literal:
                    sender = self._node(self.names.resolve(module, fact.sender))
                if sender and sender != receiver:
                    yield EdgeRecord(receiver, sender, "signal", location, "sender")
            signal = self._node(self.names.resolve(module, fact.signal))
            if signal and signal != module and signal != receiver.partition(":")[0]:
                yield EdgeRecord(receiver, signal, "signal", location, "listens")
            # A custom signal couples its receivers to the code that sends it.
            for sender_node in self.senders_by_signal.get(
                self.signal_key(module, fact.signal), ()
            ):
                if sender_node != receiver:
                    yield EdgeRecord(receiver, sender_node, "signal", location, "sent by")
        for send in facts.signal_sends:
            source = self.source(module, send.scope)
            key = self.signal_key(module, send.signal)
            for receiver in self.receivers_by_signal.get(key, ()):
                if receiver != source:
                    yield EdgeRecord(source, receiver, "signal", Location(file, send.line), "send")
