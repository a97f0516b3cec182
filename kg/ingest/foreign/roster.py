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
from collections.abc import Iterable

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
        self._people: dict[str, dict] | None = None
        self._by_name: dict[str, list[str]] | None = None
        self._orgs: dict[str, dict] | None = None
        self._org_names: dict[str, list[str]] | None = None

    def people(self, ids: Iterable[str]) -> dict[str, dict]:
        """Properties of the stored people among ``ids``."""
        ids = set(ids)
        if self.store is None or not ids:
            return {}
        if self._people is not None:
            return {i: self._people[i] for i in ids if i in self._people}
        found = self.store.existing_ids(NodeLabel.PERSON, ids)
        out = {}
        for person_id in found:
            node = self.store.get_node(NodeLabel.PERSON, person_id)
            if node is not None:
                out[person_id] = node.props
        return out

    def all_people(self) -> dict[str, dict]:
        """Every stored person's properties (read once)."""
        if self._people is None:
            nodes = self.store.find_nodes(NodeLabel.PERSON) if self.store is not None else []
            self._people = {n.id: n.props for n in nodes}
        return self._people

    def people_named(self, name: str) -> list[str]:
        """Ids of the stored people whose name has the same :func:`name_key` as ``name``."""
        if self._by_name is None:
            self._by_name = defaultdict(list)
            for person_id, props in self.all_people().items():
                self._by_name[name_key(props.get("name", ""))].append(person_id)
        return list(self._by_name.get(name_key(name), []))

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
        if self._orgs is None:
            nodes = self.store.find_nodes(NodeLabel.ORGANISATION) if self.store is not None else []
            self._orgs = {n.id: n.props for n in nodes}
        return self._orgs

    def organisations_named(self, name: str) -> list[str]:
        """Ids of stored organisations called ``name`` (case and spacing ignored)."""
        if self._org_names is None:
            self._org_names = defaultdict(list)
            for org_id, props in self.organisations().items():
                self._org_names[_org_key(props.get("name", ""))].append(org_id)
        return list(self._org_names.get(_org_key(name), []))


def _org_key(name: str) -> str:
    return " ".join(str(name).casefold().split())
