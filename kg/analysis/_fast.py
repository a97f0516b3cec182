"""Private helpers shared by the broker, hybrid and risk modules: turning a networkx graph into
compiled structures (igraph graphs, scipy sparse matrices) once, a memory-bounded masked
sparse product, and a sum over parts of a computation split across the machine's cores.

Nothing here is public API; the analysis modules check their arguments before calling in.
"""

from __future__ import annotations

import os
import select
import signal
import time
import weakref
from collections.abc import Callable, Hashable, Iterable, Sequence
from itertools import chain

import igraph as ig
import networkx as nx
import numpy as np
import scipy.sparse as sp

from kg.errors import InvalidParameter

__all__: list[str] = []

# Upper bound on the stored entries of one chunk of a sparse product (about 240 MB of
# int32 + float64 + index arrays); keeps the 100k-person network within the memory budget.
_CHUNK_ENTRIES = 10_000_000

# Work (searches x arcs) below which a computation is not split across processes: forking
# costs a few milliseconds, a search over the medium partnership's 67,000 arcs about 0.5 ms.
PARALLEL_MIN_WORK = 20_000_000

# How long split_sum waits for a child: the parts are the same size, so one still silent after
# CHILD_WAIT_FACTOR times the parent's own time (and at least CHILD_WAIT_MIN seconds) is taken to
# hang: it is killed and its part computed in the parent. Once a child sends, each further chunk
# (and its exit) gets CHILD_WAIT_MIN seconds.
CHILD_WAIT_FACTOR = 4.0
CHILD_WAIT_MIN = 10.0

# Whether split_sum leaves every part to a child and waits (True in a server: ``kg serve`` sets
# it once). igraph's C core keeps the GIL, so a part computed in a server's own process would
# stop its event loop and every other request until it ends; waiting in poll lets them run.
PARENT_WAITS = False


def check_graph(G, *, name: str = "G") -> None:
    """Raise InvalidParameter unless ``G`` is a networkx graph."""
    if not isinstance(G, nx.Graph):
        raise InvalidParameter(
            f"{name} must be a networkx Graph or DiGraph, not {type(G).__name__}"
        )


def node_index(G) -> tuple[list[Hashable], dict[Hashable, int]]:
    """Nodes in graph order and their positions."""
    nodes = list(G.nodes())
    return nodes, {v: i for i, v in enumerate(nodes)}


def edge_arrays(
    G, index: dict[Hashable, int], weight: str | None = None, *, loops: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sources, targets and weights of G's edges as arrays of positions.

    A missing weight attribute counts as 1, as in networkx. Parallel edges of a multigraph are
    returned separately; callers decide whether to merge them. An undirected edge comes once,
    from its end at the lower position. Self-loops are dropped unless ``loops``. The edges come
    in the order ``G.edges()`` lists them (when ``index`` follows G's node order).
    """
    if G.is_multigraph():
        return _multigraph_edge_arrays(G, index, weight, loops)
    # networkx's own adjacency, a dict of dicts, read directly: its views cost more than the
    # walk itself on a large network.
    adj = G._adj
    position = index.__getitem__
    heads = [list(map(position, nbrs)) for nbrs in adj.values()]
    counts = np.fromiter(map(len, heads), dtype=np.int64, count=len(heads))
    src = np.repeat(np.fromiter(map(position, adj), dtype=np.int64, count=len(heads)), counts)
    dst = np.fromiter(chain.from_iterable(heads), dtype=np.int64, count=len(src))
    if weight is None:
        weights = np.ones(len(src))
    else:
        try:
            weights = np.array([float(d.get(weight, 1)) for nbrs in adj.values()
                                for d in nbrs.values()], dtype=float)
        except (TypeError, ValueError) as exc:
            raise InvalidParameter(f"edge attribute {weight!r} must be numeric") from exc
    if G.is_directed():
        keep = np.ones(len(src), dtype=bool) if loops else src != dst
    else:
        keep = src <= dst if loops else src < dst
    return src[keep], dst[keep], weights[keep]


def _multigraph_edge_arrays(G, index, weight, loops):
    if weight is None:
        pairs = [(index[u], index[v]) for u, v in G.edges()]
        weights = np.ones(len(pairs))
    else:
        triples = [(index[u], index[v], d) for u, v, d in G.edges(data=weight, default=1)]
        pairs = [(u, v) for u, v, _ in triples]
        try:
            weights = np.array([float(d) for _, _, d in triples], dtype=float)
        except (TypeError, ValueError) as exc:
            raise InvalidParameter(f"edge attribute {weight!r} must be numeric") from exc
    if pairs:
        arr = np.asarray(pairs, dtype=np.int64)
        src, dst = arr[:, 0], arr[:, 1]
    else:
        src = dst = np.zeros(0, dtype=np.int64)
    if loops:
        return src, dst, weights
    keep = src != dst
    return src[keep], dst[keep], weights[keep]


def to_igraph(
    G,
    index: dict[Hashable, int],
    *,
    directed: bool | None = None,
    simple: bool = True,
    weight: str | None = None,
) -> ig.Graph:
    """igraph copy of G (vertex i = node at position i of ``index``).

    ``simple``: unweighted, self-loops and parallel edges dropped; neither changes
    shortest-path counts in networkx, which walks neighbour sets. Otherwise every edge as
    ``G.edges()`` lists it, self-loops and parallel edges included (so that igraph's modularity
    equals networkx's), and with ``weight`` set each edge carries that attribute (1 when
    missing) as igraph's ``"weight"``. The edge order matters there: Louvain visits ties in it.
    """
    directed = G.is_directed() if directed is None else directed
    if not simple:
        src, dst, w = edge_arrays(G, index, weight, loops=True)
        g = ig.Graph(n=len(index), edges=np.stack([src, dst], axis=1), directed=directed)
        if weight is not None:
            g.es["weight"] = w.tolist()
        return g
    if weight is not None:
        raise ValueError("a simple igraph copy is unweighted")
    src, dst, _ = edge_arrays(G, index)
    if not directed:
        src, dst = np.minimum(src, dst), np.maximum(src, dst)
    if len(src):
        pairs = np.unique(np.stack([src, dst], axis=1), axis=0)
    else:
        pairs = np.zeros((0, 2), dtype=np.int64)
    return ig.Graph(n=len(index), edges=pairs, directed=directed)  # igraph reads the array


def adjacency(G, index: dict[Hashable, int], *, weight: str | None = None) -> sp.csr_matrix:
    """n x n CSR matrix with W[u, v] = weight of u -> v (both directions for an undirected G).

    Parallel edges add up. Entries of weight 0 are kept as explicit zeros so that the stored
    structure is exactly the edge set (networkx counts a zero-weight neighbour as a neighbour).
    """
    n = len(index)
    src, dst, w = edge_arrays(G, index, weight)
    if not G.is_directed():
        src, dst, w = np.concatenate([src, dst]), np.concatenate([dst, src]), np.concatenate([w, w])
    matrix = sp.coo_matrix((w, (src, dst)), shape=(n, n)).tocsr()
    matrix.sum_duplicates()
    matrix.sort_indices()
    return matrix


def binary(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Same structure, every stored entry 1.0."""
    out = matrix.tocsr().astype(float, copy=True)
    out.data = np.ones_like(out.data)
    return out


def masked_product(X: sp.csr_matrix, Y: sp.csr_matrix, mask: sp.csr_matrix) -> np.ndarray:
    """Entries of ``X @ Y`` at the stored positions of ``mask``, aligned with ``mask.data``.

    Computed in row chunks so the intermediate product never holds more than about
    ``_CHUNK_ENTRIES`` entries, whatever the size of the graph.
    """
    X = X.tocsr()
    Y = Y.tocsr()
    mask = mask.tocsr()
    mask.sort_indices()
    out = np.zeros(mask.nnz, dtype=float)
    if mask.nnz == 0:
        return out
    # Upper bound of the product's entries per row: sum over the row's stored columns of the
    # number of entries of Y in that row.
    y_row_counts = np.diff(Y.indptr).astype(float)
    cost = binary(X)
    row_cost = np.asarray(cost @ y_row_counts).ravel() + 1.0
    bounds = _chunk_bounds(row_cost, _CHUNK_ENTRIES)
    for start, stop in bounds:
        lo, hi = mask.indptr[start], mask.indptr[stop]
        if hi == lo:
            continue
        product = (X[start:stop] @ Y).tocsr()
        rows = np.repeat(np.arange(stop - start), np.diff(mask.indptr[start : stop + 1]))
        cols = mask.indices[lo:hi]
        out[lo:hi] = np.asarray(product[rows, cols]).ravel()
    return out


def _chunk_bounds(row_cost: np.ndarray, budget: float) -> list[tuple[int, int]]:
    bounds = []
    start = 0
    n = len(row_cost)
    cumulative = np.cumsum(row_cost)
    while start < n:
        base = cumulative[start - 1] if start else 0.0
        stop = int(np.searchsorted(cumulative, base + budget, side="right"))
        stop = max(stop, start + 1)
        bounds.append((start, min(stop, n)))
        start = stop
    return bounds


def group_of(G, attribute: str) -> dict[Hashable, Hashable]:
    """Each node's value of ``attribute`` (None when missing)."""
    return {v: d.get(attribute) for v, d in G.nodes(data=True)}


def check_attribute(G, attribute: str) -> dict[Hashable, Hashable]:
    """Group of every node; InvalidParameter unless at least one node carries the attribute."""
    if not isinstance(attribute, str) or not attribute:
        raise InvalidParameter("attribute must be a non-empty string")
    groups = group_of(G, attribute)
    if len(G) and all(value is None for value in groups.values()):
        raise InvalidParameter(f"no node has the attribute {attribute!r}")
    return groups


def group_codes(values: Iterable[Hashable]) -> np.ndarray:
    """Integer code per value; None is a group of its own (people whose value is unknown)."""
    codes: dict[Hashable, int] = {}
    return np.array([codes.setdefault(v, len(codes)) for v in values], dtype=np.int64)


def json_float(value: float | None) -> float | None:
    """A float that JSON can carry (NaN and infinities become None)."""
    if value is None:
        return None
    value = float(value)
    return value if np.isfinite(value) else None


def workers() -> int:
    """Cores this process may run on (1 where processes cannot be forked)."""
    if not hasattr(os, "fork"):
        return 1
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def split_sum(
    compute: Callable[[Sequence], np.ndarray], items: Sequence, *, work: float
) -> np.ndarray:
    """``compute(items)`` for a computation that is a sum over its items, spread over the cores.

    igraph's C core and scipy's searches hold the GIL, so threads would run one at a time:
    each further part runs in a forked child, which shares the parent's graph copy-on-write and
    sends back one float64 array. The parent computes the first part meanwhile and adds the
    rest. A child that fails, dies, sends less than a whole array, or is still silent
    :data:`CHILD_WAIT_FACTOR` times the parent's own time after the fork (at least
    :data:`CHILD_WAIT_MIN` seconds) is ended and reaped, and its part computed here instead, so
    the answer never depends on the split (only the order of a floating-point sum does, to about
    1e-15 relative).

    With :data:`PARENT_WAITS`, every part runs in a child and this process only waits; the first
    child to answer sets the pace for the others instead (a first child that hangs is not
    caught). Children whose arrays disagree in shape are not trusted: every part is then
    computed here.

    ``work`` (searches times arcs) below :data:`PARALLEL_MIN_WORK`, one core, or fewer than two
    items: computed here in one piece.
    """
    k = min(workers(), len(items))
    if k < 2 or work < PARALLEL_MIN_WORK:
        return np.asarray(compute(items), dtype=float)
    bounds = np.linspace(0, len(items), k + 1).astype(int)
    parts = [items[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    children: list[tuple[int, int, Sequence]] = []
    try:
        forked = time.monotonic()
        if PARENT_WAITS:
            for part in parts:
                children.append((*_fork(lambda p: _with_shape(compute(p)), part), part))
            return _sum_children(compute, children, forked)
        for part in parts[1:]:
            children.append((*_fork(compute, part), part))
        total = np.array(compute(parts[0]), dtype=float)
        deadline = forked + max(CHILD_WAIT_MIN, CHILD_WAIT_FACTOR * (time.monotonic() - forked))
        while children:
            pid, reader, part = children.pop(0)
            data = _collect(pid, reader, deadline)
            if data is not None and len(data) == total.nbytes:
                total += np.frombuffer(data, dtype=float).reshape(total.shape)
            else:  # failed, killed, hung or sent too little: computed here
                total += np.asarray(compute(part), dtype=float)
    finally:
        for pid, reader, _ in children:  # on an error here: leave no child or pipe behind
            _reap(pid, reader)
    return total


def _with_shape(values) -> np.ndarray:
    """``values`` flat, after its number of dimensions and its shape (what a child sends when
    the parent has no array of its own to read the shape from)."""
    values = np.asarray(values, dtype=float)
    return np.concatenate([[values.ndim], values.shape, values.ravel()])


def _shaped(data: bytes) -> np.ndarray | None:
    flat = np.frombuffer(data, dtype=float)
    if not len(flat) or len(flat) < 1 + int(flat[0]):
        return None
    ndim = int(flat[0])
    shape = tuple(int(d) for d in flat[1 : 1 + ndim])
    values = flat[1 + ndim :]
    return values.reshape(shape) if values.size == int(np.prod(shape)) else None


def _sum_children(compute: Callable[[Sequence], np.ndarray],
                  children: list[tuple[int, int, Sequence]], forked: float) -> np.ndarray:
    """The sum of every child's part (:data:`PARENT_WAITS`). The children are taken out of
    ``children`` (:func:`_collect_all` reaps them); a part whose child failed or hung is computed
    here."""
    jobs = children[:]
    children.clear()
    sent = _collect_all(jobs, forked)
    arrays = [_shaped(data) if data is not None else None for data in sent]
    shapes = {a.shape for a in arrays if a is not None}
    if len(shapes) > 1:  # someone sent a wrong array, and shapes alone cannot tell who
        arrays = [None] * len(arrays)
    total = None
    for (_, _, part), array in zip(jobs, arrays, strict=True):
        if array is None:
            array = np.asarray(compute(part), dtype=float)
            if shapes and array.shape not in shapes:  # the children agreed, on a wrong shape
                return np.asarray(compute([x for _, _, p in jobs for x in p]), dtype=float)
        total = array.copy() if total is None else total + array
    return total


def _collect_all(children: list[tuple[int, int, Sequence]], forked: float) -> list:
    """What each child sent (None for one that failed, died or hung), read as it comes.

    There is no deadline until a first child has sent its whole part; then the others get
    :data:`CHILD_WAIT_FACTOR` times its time (at least :data:`CHILD_WAIT_MIN` seconds), each
    chunk they send :data:`CHILD_WAIT_MIN` more. Every child is reaped and every pipe closed
    before this returns.
    """
    chunks: list[list[bytes]] = [[] for _ in children]
    sent: list[bytes | None] = [None] * len(children)
    waiting = {reader: i for i, (_, reader, _) in enumerate(children)}
    poller = select.poll()
    for reader in waiting:
        poller.register(reader, select.POLLIN)
    deadline = None
    try:
        while waiting:
            events = poller.poll(_milliseconds_left(deadline))
            if not events:
                break  # past the deadline: whoever is still silent is taken to hang
            for reader, _ in events:
                i = waiting[reader]
                chunk = os.read(reader, 1 << 20)
                if chunk:
                    chunks[i].append(chunk)
                    if deadline is not None:
                        deadline = max(deadline, time.monotonic() + CHILD_WAIT_MIN)
                    continue
                poller.unregister(reader)
                pid = children[i][0]
                exit_by = None if deadline is None else time.monotonic() + CHILD_WAIT_MIN
                status = _exit_status(pid, exit_by)
                del waiting[reader]  # from here on, this child is dealt with
                if status is None:
                    _reap(pid, reader)
                    continue
                os.close(reader)
                if status == 0:
                    sent[i] = b"".join(chunks[i])
                    if deadline is None:
                        now = time.monotonic()
                        deadline = forked + max(CHILD_WAIT_MIN,
                                                CHILD_WAIT_FACTOR * (now - forked))
    finally:
        for reader, i in waiting.items():  # late, or this process was interrupted: end them
            _reap(children[i][0], reader)
    return sent


class Started:
    """A computation running in a forked child (:func:`start`); :func:`finish` collects it."""

    def __init__(self, child: tuple[int, int] | None):
        self.child = child
        # A computation never collected: its child is ended and reaped with this object.
        self._reaper = weakref.finalize(self, _reap, *child) if child else None


def start(compute: Callable[[Sequence], np.ndarray], items: Sequence) -> Started:
    """Begin ``compute(items)`` in a forked child (one core), so this process can go on with
    other work; :func:`finish` waits for it. Where processes cannot be forked, nothing starts
    and :func:`finish` returns None (the caller computes it then)."""
    if not hasattr(os, "fork"):
        return Started(None)
    try:
        return Started(_fork(compute, items))
    except OSError:  # no process to be had: computed when asked for
        return Started(None)


def finish(started: Started) -> np.ndarray | None:
    """The float64 array the child computed, or None if it failed (or never started)."""
    if started.child is None:
        return None
    pid, reader = started.child
    started.child = None
    started._reaper.detach()
    data = _collect(pid, reader, None)
    return None if data is None else np.frombuffer(data, dtype=float).copy()


def _fork(compute: Callable[[Sequence], np.ndarray], part: Sequence) -> tuple[int, int]:
    reader, writer = os.pipe()
    # Python 3.12+ warns (DeprecationWarning) that a multi-threaded process may deadlock a
    # forked child. This child takes no lock another thread could hold: it runs compiled code on
    # memory it was handed, writes to its own pipe and exits without running Python's cleanup.
    pid = os.fork()
    if pid == 0:  # the child: never returns to the caller's code
        code = 1
        try:
            os.close(reader)
            data = np.ascontiguousarray(compute(part), dtype=float).tobytes()
            with os.fdopen(writer, "wb") as pipe:
                pipe.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(writer)
    return pid, reader


def _collect(pid: int, reader: int, deadline: float | None) -> bytes | None:
    """All a forked child sent, if it then exited cleanly; else None.

    ``deadline`` (a :func:`time.monotonic` time, or None to wait as long as it takes) bounds the
    wait for the child's first bytes; each further chunk, and the exit after the last, gets
    :data:`CHILD_WAIT_MIN` seconds more. A child that misses it is killed. Either way the child is
    reaped and the pipe closed before this returns: no zombie, no orphan, no open descriptor.
    """
    chunks: list[bytes] = []
    status = None
    poller = select.poll()  # not select.select: a busy server's descriptors pass 1024
    poller.register(reader, select.POLLIN)
    try:
        while poller.poll(_milliseconds_left(deadline)):
            chunk = os.read(reader, 1 << 20)
            if not chunk:  # the pipe closed: the child has finished, or died
                status = _exit_status(pid, deadline)
                break
            chunks.append(chunk)
            if deadline is not None:  # sending: its part is computed, the rest is a copy
                deadline = max(deadline, time.monotonic() + CHILD_WAIT_MIN)
    finally:
        if status is None:  # late, or this process was interrupted: end it
            _reap(pid, reader)
        else:
            os.close(reader)
    return b"".join(chunks) if status == 0 else None


def _milliseconds_left(deadline: float | None) -> int | None:
    if deadline is None:
        return None
    return max(0, int((deadline - time.monotonic()) * 1000) + 1)


def _exit_status(pid: int, deadline: float | None) -> int | None:
    """The child's wait status once it exits, or None if it is still running at ``deadline``."""
    if deadline is None:
        return os.waitpid(pid, 0)[1]
    pause = 0.0005
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        if time.monotonic() >= deadline:
            return None
        time.sleep(pause)
        pause = min(2 * pause, 0.05)


def _reap(pid: int, reader: int) -> None:
    """Close the pipe, kill the child and wait for it (each step whatever became of the others)."""
    for step in (lambda: os.close(reader), lambda: os.kill(pid, signal.SIGKILL),
                 lambda: os.waitpid(pid, 0)):
        try:
            step()
        except OSError:  # already closed, already gone or already reaped
            pass
