"""Copy a whole graph from one store to another (``kg migrate``), e.g. SQLite to Neo4j.

The copy is one upsert into the target, so it is all or nothing and idempotent: copying again
changes nothing and leaves the target's revision where it was. Records already in the target that
the source does not hold are kept.
"""

from __future__ import annotations

from collections.abc import Callable

from kg.errors import StoreError
from kg.model import Node, NodeLabel
from kg.store.base import GraphStore, WriteResult

__all__ = ["copy_store"]

# progress(advance, total): records just written, and how many there are in all.
CopyProgress = Callable[[int, int], None]


def read_all(source: GraphStore, *, attempts: int = 5) -> tuple[list, list]:
    """Every node (with provenance) and relationship of ``source``, read at one revision.

    A snapshot keeps node properties but not node provenance, so nodes are read per label; the
    revision is checked before and after, and the read is repeated if a write landed between.
    """
    for _ in range(attempts):
        snap = source.snapshot()
        nodes: list[Node] = []
        for label in NodeLabel:
            nodes += source.find_nodes(label)
        if source.revision() == snap.revision:
            rels = [r for group in snap.relationships.values() for r in group]
            return nodes, rels
    raise StoreError("the source store kept changing while it was read; try again")


def copy_store(
    source: GraphStore, target: GraphStore, *, progress: CopyProgress | None = None
) -> WriteResult:
    """Upsert every node and relationship of ``source`` into ``target`` in one transaction.

    Parameters
    ----------
    source, target : GraphStore
        Open stores; neither is closed here.
    progress : callable, optional
        Called as ``progress(advance, total)`` while records are written.

    Returns
    -------
    WriteResult
        What the target's upsert did (all zero, same revision, on a repeated copy).
    """
    nodes, rels = read_all(source)
    total = len(nodes) + len(rels)
    return target.upsert(nodes, rels, progress=(lambda n: progress(n, total)) if progress else None)
