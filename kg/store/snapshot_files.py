"""Snapshots of the embedded store filed on disk, as arrays, beside it.

A :class:`~kg.store.sqlite.SQLiteStore` files each snapshot it reads
(``carebridge.sqlite.snapshots/``) under its revision and identity
(:meth:`~kg.store.sqlite.SQLiteStore.snapshot_identity`): a fresh process (the CLI, a restarted
server) loads it in a fraction of the time it takes to read and parse every row again. A file
is used only when the store still has that revision and identity; writing a new revision's file
removes the older ones. A folder that cannot be written just means no file.
"""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path

import numpy as np
import orjson

from kg.model import NodeLabel, RelType
from kg.store.base import GraphSnapshot

__all__ = ["DISK_FORMAT", "MAX_FILES", "file_name", "folder_of", "load", "save"]

#: Bumped whenever the layout of a snapshot file changes: files of another format are ignored.
DISK_FORMAT = 1
#: Snapshot files kept beside a store (periods of the current revision), the least recently
#: used removed first: a large partnership's file is about 150 MB.
MAX_FILES = 6


def folder_of(path: Path) -> Path:
    """Where the snapshot files of the store at ``path`` go: ``<store file>.snapshots``."""
    return Path(path).with_name(Path(path).name + ".snapshots")


def file_name(identity: tuple, start: date | None, end: date | None) -> str:
    ends = "_".join(d.isoformat() if d else "open" for d in (start, end))
    return f"r{identity[0]}_{ends}.npz"


def load(path: Path, identity: tuple, window: tuple) -> GraphSnapshot | None:
    from kg.store.sqlite import ColumnarSnapshot, RelColumns  # the store imports this module

    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
        os.utime(path)  # recently used: kept when older periods' files are removed
        meta = orjson.loads(arrays.pop("meta").tobytes())
        if (meta.get("format") != DISK_FORMAT or tuple(meta["identity"]) != tuple(identity)
                or meta["window"] != [d.isoformat() if d else None for d in window]):
            return None
        nodes = {NodeLabel(label): orjson.loads(arrays.pop(f"nodes:{label}").tobytes())
                 for label in meta["labels"]}
        columns = {RelType(t): RelColumns.from_arrays(RelType(t), arrays, f"{t}/")
                   for t in meta["types"]}
    except (OSError, ValueError, KeyError, TypeError):  # absent, partial or of another version
        return None
    # A vocabulary the code has since grown (a new label or type) reads as present and empty.
    nodes = {label: nodes.get(label, {}) for label in NodeLabel}
    if set(RelType) - set(columns):
        return None
    snap = ColumnarSnapshot(identity[0], window, nodes, columns)
    snap.identity = identity
    return snap


def save(folder: Path, snap) -> None:
    """File the snapshot (atomically: written aside, then renamed) and drop older revisions."""
    identity = snap.identity
    arrays = {}
    for label, nodes in snap.nodes.items():
        arrays[f"nodes:{label.value}"] = np.frombuffer(orjson.dumps(nodes), dtype=np.uint8)
    types = []
    for rel_type in snap.relationships:
        arrays.update(snap.columns(rel_type).to_arrays(f"{rel_type.value}/"))
        types.append(rel_type.value)
    meta = {"format": DISK_FORMAT, "identity": list(identity),
            "window": [d.isoformat() if d else None for d in snap.window],
            "labels": [label.value for label in snap.nodes], "types": types}
    arrays["meta"] = np.frombuffer(orjson.dumps(meta), dtype=np.uint8)
    name = file_name(identity, *snap.window)
    writing = None
    try:
        folder.mkdir(exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".writing-", suffix=".npz",
                                         delete=False) as out:
            writing = Path(out.name)
            np.savez(out, **arrays)
        os.replace(writing, folder / name)
        writing = None
        kept = []
        for old in folder.glob("r*_*.npz"):
            revision = old.name[1:].split("_", 1)[0]
            if revision.isdigit() and int(revision) < identity[0]:
                old.unlink(missing_ok=True)
            else:
                kept.append((old.stat().st_mtime, old))
        for _, old in sorted(kept, key=lambda x: x[0], reverse=True)[MAX_FILES:]:
            old.unlink(missing_ok=True)
    except OSError:
        # A read-only or full disk: the snapshot still serves this process.
        if writing is not None:
            writing.unlink(missing_ok=True)
