"""Who the store already knows, and how a written name is matched to a person.

A foreign file often names people the store holds (an edge list over the partnership's roster,
a survey answered by its staff). The :class:`Roster` reads them from the store, lazily and
read-only, so a file can link to them without rewriting them.

Names are compared by :func:`name_key`: case, accents, punctuation and word order are ignored
("Morgan, Alex" is "alex morgan"). Two people with the same key are never told apart by
guessing: matching returns every candidate and the caller reports the ambiguity.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable

from kg.model import NodeLabel, RelType
from kg.store.base import GraphStore

__all__ = ["Roster", "name_key"]


def name_key(name: str) -> str:
    """A name as matching compares it.

    >>> name_key("Morgan, Alex") == name_key("alex  MORGAN") == name_key("Alex Morgan.")
    True
    >>> name_key("José O'Neil") == name_key("jose o neil")
    True
    """
    text = unicodedata.normalize("NFKD", str(name)).casefold()
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(sorted(re.findall(r"[^\W_]+", text)))


class Roster:
    """Read-only views of the people and organisations in ``store`` (``None``: an empty store)."""

    def __init__(self, store: GraphStore | None):
        self.store = store
        self._nodes: dict[NodeLabel, dict[str, dict]] = {}  # label -> id -> properties
        self._names: dict[NodeLabel, dict[str, list[str]]] = {}  # label -> name key -> ids

    def people(self, ids: Iterable[str]) -> dict[str, dict]:
        """Properties of the stored people among ``ids``."""
        ids = set(ids)
        if self.store is None or not ids:
            return {}
        everyone = self._nodes.get(NodeLabel.PERSON)
        if everyone is not None:
            return {i: everyone[i] for i in ids if i in everyone}
        found = self.store.existing_ids(NodeLabel.PERSON, ids)
        out = {}
        for person_id in found:
            node = self.store.get_node(NodeLabel.PERSON, person_id)
            if node is not None:
                out[person_id] = node.props
        return out

    def all_people(self) -> dict[str, dict]:
        """Every stored person's properties (read once)."""
        return self._all(NodeLabel.PERSON)

    def people_named(self, name: str) -> list[str]:
        """Ids of the stored people whose name has the same :func:`name_key` as ``name``."""
        return self._named(NodeLabel.PERSON, name_key, name)

    def organisations_of(self, person_ids: Iterable[str]) -> dict[str, set[str]]:
        """The organisations (and teams) at which each of the stored ``person_ids`` holds a role."""
        wanted = set(person_ids)
        if self.store is None or not wanted:
            return {}
        at = {r.source: r.target for r in self.store.relationships(RelType.AT_ORGANISATION)}
        out: dict[str, set[str]] = defaultdict(set)
        for r in self.store.relationships(RelType.HOLDS_ROLE):
            if r.source in wanted and r.target in at:
                out[r.source].add(at[r.target])
        return dict(out)

    def organisations(self) -> dict[str, dict]:
        """Every stored organisation (and team), id -> properties (read once)."""
        return self._all(NodeLabel.ORGANISATION)

    def organisations_named(self, name: str) -> list[str]:
        """Ids of stored organisations called ``name`` (case and spacing ignored)."""
        return self._named(NodeLabel.ORGANISATION, _org_key, name)

    def _all(self, label: NodeLabel) -> dict[str, dict]:
        """Every stored node of ``label``, id -> properties, read once."""
        if label not in self._nodes:
            nodes = self.store.find_nodes(label) if self.store is not None else []
            self._nodes[label] = {n.id: n.props for n in nodes}
        return self._nodes[label]

    def _named(self, label: NodeLabel, key: Callable[[str], str], name: str) -> list[str]:
        """Ids of the stored nodes of ``label`` whose name has the same ``key`` as ``name``."""
        index = self._names.get(label)
        if index is None:
            index = self._names[label] = defaultdict(list)
            for node_id, props in self._all(label).items():
                index[key(props.get("name", ""))].append(node_id)
        return list(index.get(key(name), []))


def _org_key(name: str) -> str:
    return " ".join(str(name).casefold().split())
