"""The graph store interface every backend implements.

A store holds :class:`~kg.model.Node` and :class:`~kg.model.Relationship` records. Writes are
idempotent upserts in one transaction; every write that changes data moves the store's
:meth:`GraphStore.revision`, which analysis caches are keyed by.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from kg.errors import InvalidParameter, StoreError
from kg.model import REL_ENDPOINTS, Node, NodeLabel, Relationship, RelType

__all__ = [
    "GraphSnapshot",
    "GraphStore",
    "Progress",
    "WriteResult",
    "check_endpoints",
    "check_property_name",
    "check_window",
]

# Called with the number of records just written; used for progress bars.
Progress = Callable[[int], None]

_PROPERTY_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


def check_property_name(name: str) -> str:
    """Return ``name`` if it is a plain identifier; filters use it as a property key."""
    if not _PROPERTY_NAME.match(name):
        raise InvalidParameter(f"not a property name: {name!r}")
    return name


def check_window(start: date | None, end: date | None) -> None:
    """Refuse a snapshot window that ends before it starts (``ValueError``)."""
    if start is not None and end is not None and end < start:
        raise ValueError(f"window end {end} is before its start {start}")


def check_endpoints(
    relationships: Iterable[Relationship],
    present: Callable[[NodeLabel, set[str]], set[str]],
) -> None:
    """Refuse a write whose relationships end at nodes that do not exist.

    Parameters
    ----------
    relationships : iterable of Relationship
        What is about to be written; each type joins nodes of the labels ``REL_ENDPOINTS`` gives.
    present : callable
        ``present(label, ids)``: those of ``ids`` that are nodes of ``label``, stored or about to
        be written with the relationships.

    Raises
    ------
    StoreError
        Naming the first label with missing ends and up to five of them; nothing is written.
    """
    needed: dict[NodeLabel, set[str]] = {}
    for r in relationships:
        src_label, dst_label = REL_ENDPOINTS[r.type]
        needed.setdefault(src_label, set()).add(r.source)
        needed.setdefault(dst_label, set()).add(r.target)
    for label, ids in needed.items():
        missing = ids - present(label, ids)
        if missing:
            sample = ", ".join(sorted(missing)[:5])
            raise StoreError(
                f"{len(missing)} relationship endpoint(s) are not {label.value} nodes "
                f"(e.g. {sample}); nothing was written"
            )


@dataclass(slots=True)
class WriteResult:
    """What one upsert did."""

    nodes_created: int = 0
    nodes_updated: int = 0
    relationships_created: int = 0
    relationships_updated: int = 0
    revision: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.nodes_created
            or self.nodes_updated
            or self.relationships_created
            or self.relationships_updated
        )


@dataclass(slots=True)
class GraphSnapshot:
    """The whole graph, or the part active in a time window, read at one revision.

    ``nodes[label][id]`` is the node's property dict; ``relationships[type]`` lists the
    relationships of that type whose dates overlap the window (undated ones always do).
    """

    revision: int
    window: tuple[date | None, date | None] = (None, None)
    nodes: dict[NodeLabel, dict[str, dict]] = field(default_factory=dict)
    relationships: dict[RelType, list[Relationship]] = field(default_factory=dict)

    def node_props(self, label: NodeLabel, id: str) -> dict | None:
        return self.nodes.get(label, {}).get(id)

    def rels(self, type: RelType) -> list[Relationship]:
        return self.relationships.get(type, [])


class GraphStore(ABC):
    """A durable graph of a partnership. Use as a context manager, or call :meth:`close`."""

    backend: str = "abstract"

    # -- writes ---------------------------------------------------------------------------
    @abstractmethod
    def upsert(
        self,
        nodes: Iterable[Node] = (),
        relationships: Iterable[Relationship] = (),
        *,
        progress: Progress | None = None,
    ) -> WriteResult:
        """Insert or update nodes, then relationships, all in one transaction.

        A node is identified by ``(label, id)``, a relationship by ``(type, key)``; an existing
        record is replaced only if its properties differ. Relationship endpoints must exist (in
        the store or in ``nodes``); otherwise :class:`~kg.errors.StoreError` is raised and
        nothing is written.
        """

    @abstractmethod
    def delete_nodes(self, label: NodeLabel, ids: Sequence[str]) -> int:
        """Delete nodes and every relationship touching them; return how many nodes went."""

    @abstractmethod
    def delete_relationships(self, type: RelType, keys: Sequence[str]) -> int:
        """Delete relationships by key; return how many went."""

    @abstractmethod
    def clear(self) -> None:
        """Delete everything (the revision still moves forward)."""

    # -- reads ----------------------------------------------------------------------------
    @abstractmethod
    def get_node(self, label: NodeLabel, id: str) -> Node | None:
        """One node, or ``None``."""

    @abstractmethod
    def find_nodes(
        self,
        label: NodeLabel,
        filters: dict[str, str] | None = None,
        *,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Node]:
        """Nodes of a label whose properties equal every ``filters`` value, ordered by id."""

    @abstractmethod
    def count_nodes(self, label: NodeLabel, filters: dict[str, str] | None = None) -> int:
        """How many nodes :meth:`find_nodes` would return without a limit."""

    @abstractmethod
    def existing_ids(self, label: NodeLabel, ids: Iterable[str]) -> set[str]:
        """The subset of ``ids`` that exist as nodes of ``label``."""

    @abstractmethod
    def relationships(
        self,
        type: RelType,
        *,
        source: str | None = None,
        target: str | None = None,
    ) -> list[Relationship]:
        """Relationships of a type, optionally only those from ``source`` or to ``target``."""

    @abstractmethod
    def snapshot(self, start: date | None = None, end: date | None = None) -> GraphSnapshot:
        """Every node, and the relationships active in ``[start, end]``, read consistently."""

    @abstractmethod
    def latest_date(self, not_after: date) -> date | None:
        """The latest relationship start or end date on or before ``not_after``, or ``None``.

        "Now" for an analysis is the latest date the data speaks of; a planned end date in the
        future (a fixed-term contract, say) is not data about now, hence ``not_after``.
        """

    @abstractmethod
    def counts(self) -> dict[str, dict[str, int]]:
        """``{"nodes": {label: n}, "relationships": {type: n}}`` with every label and type."""

    @abstractmethod
    def revision(self) -> int:
        """A number that moves forward on every write that changed data."""

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
