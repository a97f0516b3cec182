"""Test support for split_sum's forked children: record every child forked, check that each
was reaped and no longer runs, and make a function fail in a child only."""

from __future__ import annotations

import functools
import os

import pytest

from kg.analysis import _fast


def record_forks(monkeypatch, *, parent_waits: bool) -> list[int]:
    """Make split_sum always split in three parts (two children, or three when the parent only
    waits) and return the list the children's ids are kept in."""
    if not hasattr(os, "fork"):
        pytest.skip("no fork here: split_sum never splits")
    monkeypatch.setattr(_fast, "PARENT_WAITS", parent_waits)
    monkeypatch.setattr(_fast, "PARALLEL_MIN_WORK", 0)
    monkeypatch.setattr(_fast, "workers", lambda: 3)
    pids: list[int] = []
    fork = _fast._fork

    def recorded(compute, part):
        pid, reader = fork(compute, part)
        pids.append(pid)
        return pid, reader

    monkeypatch.setattr(_fast, "_fork", recorded)
    return pids


def assert_gone(pids):
    """Each child was reaped (no zombie) and no longer runs (no orphan)."""
    for pid in pids:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def fails_in_child(real):
    """``real`` wrapped to raise in any process forked from this one and to be called as
    itself here (so a background computation fails in its child and is redone on .result())."""
    parent = os.getpid()

    @functools.wraps(real)
    def wrapper(*args, **kwargs):
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return real(*args, **kwargs)

    return wrapper
