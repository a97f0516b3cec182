"""split_sum in a server (``_fast.PARENT_WAITS``): every part in a forked child while the
server's process only waits, with the same answer as one process computing it all, and the
same care for children that fail, die, hang or send a wrong array."""

from __future__ import annotations

import os
import signal
import time

import networkx as nx
import numpy as np
import pytest
from forking import assert_gone, record_forks

from kg.analysis import _fast
from kg.analysis.betweenness import betweenness


@pytest.fixture
def forks(monkeypatch):
    """Every split in three parts, every one in a child; the children's ids are kept."""
    return record_forks(monkeypatch, parent_waits=True)


def test_every_part_runs_in_a_child_and_the_sum_equals_one_process(forks):
    parent = os.getpid()
    items = list(range(1, 301))

    def compute(part):  # two rows, and a third that counts the parts summed in this process
        out = np.zeros((3, 4))
        out[0] = sum(part)
        out[1, len(part) % 4] = len(part)
        out[2, 0] = float(os.getpid() == parent)
        return out

    alone = compute(items)
    got = _fast.split_sum(compute, items, work=1e12)
    assert got.shape == alone.shape == (3, 4)
    assert got[:2].tolist() == alone[:2].tolist()
    assert got[2, 0] == 0.0  # no part was computed in the waiting process
    assert len(forks) == 3
    assert_gone(forks)


@pytest.mark.parametrize("directed", [False, True])
def test_betweenness_with_the_parent_waiting_equals_networkx(forks, directed):
    G = nx.gnp_random_graph(150, 0.04, seed=3, directed=directed)
    exact = nx.betweenness_centrality(G)
    ours = betweenness(G).values
    assert max(abs(ours[v] - exact[v]) for v in G) < 1e-12
    assert forks and all(forks)
    assert_gone(forks)


MISBEHAVIOURS = {
    "raises": lambda: (_ for _ in ()).throw(RuntimeError("the child fails")),
    "exits": lambda: os._exit(3),
    "is killed": lambda: os.kill(os.getpid(), signal.SIGKILL),
    "hangs": lambda: time.sleep(120),
    "sends a wrong array": lambda: np.zeros(1),
}


@pytest.mark.parametrize("misbehaviour", list(MISBEHAVIOURS))
def test_a_child_that_fails_or_hangs_has_its_part_computed_here(forks, monkeypatch,
                                                                 misbehaviour):
    monkeypatch.setattr(_fast, "CHILD_WAIT_MIN", 0.5)  # a hang is seen in half a second
    parent = os.getpid()
    items = list(range(1, 301))

    def compute(part):
        if os.getpid() != parent and 300 in part:  # the last child of three misbehaves
            wrong = MISBEHAVIOURS[misbehaviour]()
            if wrong is not None:
                return wrong
        return np.asarray([sum(part), len(part), sum(i * i for i in part)], dtype=float)

    began = time.monotonic()
    got = _fast.split_sum(compute, items, work=1e12)
    assert got.tolist() == compute(items).tolist() == [45150.0, 300.0, 9045050.0]
    assert len(forks) == 3
    assert time.monotonic() - began < 30
    assert_gone(forks)


def test_an_error_here_leaves_no_child_behind(forks):
    parent = os.getpid()

    def compute(part):
        if os.getpid() != parent:
            os._exit(3)  # every child fails: their parts come back here, where it fails too
        raise KeyError("the parent fails")

    with pytest.raises(KeyError):
        _fast.split_sum(compute, list(range(30)), work=1e12)
    assert len(forks) == 3
    assert_gone(forks)


def test_kg_serve_makes_the_parent_wait(monkeypatch, tmp_path):
    """The server's own process is the one that must never sit in igraph; it hands the GIL
    over more often than Python's default, and keeps what it loaded at start out of the
    collector's sight."""
    import gc
    import sys

    import uvicorn

    from kg.cli.serve_cmds import SWITCH_SECONDS, run_server
    from kg.config import Settings

    monkeypatch.setattr(_fast, "PARENT_WAITS", False)
    served, switch, frozen = [], [], []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.append(app))
    monkeypatch.setattr(sys, "setswitchinterval", switch.append)  # not this test process's
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(bool(served)))
    run_server(Settings(data_dir=tmp_path), "127.0.0.1", 8000)
    assert served and _fast.PARENT_WAITS is True
    assert switch == [SWITCH_SECONDS] and SWITCH_SECONDS < sys.getswitchinterval()
    assert frozen == [False]  # once, with the app built and before serving
    served[0].state.store.close()
