"""One lock for igraph's process-wide random number generator.

igraph draws every random number from a single generator shared by the whole process
(:func:`igraph.set_random_number_generator`). Seeding it for one computation while another
thread runs a second one would let the two interleave their draws, so neither would be
reproducible; and seeding the global :mod:`random` module (or rewinding it with
``random.setstate``) would disturb every other thread that uses it. :func:`seeded_igraph` is the
one place in Carebridge that swaps igraph's generator: under one module-level lock, with a
private :class:`random.Random`, restoring the previous generator afterwards.
"""

from __future__ import annotations

import operator
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import igraph as ig

from kg.errors import InvalidParameter

__all__ = ["seeded_igraph"]

# Reentrant, so that a seeded computation may call another one in the same thread.
_LOCK = threading.RLock()
# igraph offers no getter for its generator: remember what it was given here. On import,
# python-igraph draws from the module-level functions of `random`, its documented default.
_current: object = random


@contextmanager
def seeded_igraph(seed: int) -> Iterator[random.Random]:
    """Run igraph's random algorithms with a private generator seeded by ``seed``.

    Holds one process-wide lock for the duration of the block, so seeded igraph computations
    in different threads (FastAPI runs synchronous routes in a thread pool) never share a
    generator, and restores igraph's previous generator on exit. The global :mod:`random`
    state is never read, seeded or rewound.

    Parameters
    ----------
    seed : int
        Any integer (numpy integers too): seeds the private :class:`random.Random` that igraph
        draws from inside the block.

    Yields
    ------
    random.Random
        The private generator igraph is using.

    Raises
    ------
    InvalidParameter
        If ``seed`` is not an integer.

    Examples
    --------
    >>> import igraph as ig
    >>> with seeded_igraph(7):
    ...     a = ig.Graph.Erdos_Renyi(n=20, m=30).get_edgelist()
    >>> with seeded_igraph(7):
    ...     b = ig.Graph.Erdos_Renyi(n=20, m=30).get_edgelist()
    >>> a == b
    True

    Notes
    -----
    Code that calls igraph's random functions *outside* this context manager, while a seeded
    block runs in another thread, draws from that block's generator; all of Carebridge's
    seeded igraph calls go through here.
    """
    global _current
    if isinstance(seed, bool):
        raise InvalidParameter("seed must be an integer")
    try:
        seed = operator.index(seed)  # numpy integers too
    except TypeError:
        raise InvalidParameter("seed must be an integer") from None
    generator = random.Random(seed)
    with _LOCK:
        previous = _current
        ig.set_random_number_generator(generator)
        _current = generator
        try:
            yield generator
        finally:
            ig.set_random_number_generator(previous)
            _current = previous
