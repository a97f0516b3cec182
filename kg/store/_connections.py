"""One SQLite connection per thread, in WAL mode, with read and write transactions.

The graph store (:mod:`kg.store.sqlite`) and the survey store (:mod:`kg.survey.store`) share
this: a connection per thread because ``sqlite3`` objects must not cross threads mid-transaction,
WAL so readers never wait for a writer, ``BEGIN IMMEDIATE`` so a writer takes the lock first.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["ThreadConnections"]


class ThreadConnections:
    """Mixin: ``_conn()``, ``_read()``, ``_write()`` and ``close()`` over ``self.path``.

    Call :meth:`_init_connections` first; ``pragmas`` are run on each new connection after the
    common ones (WAL, synchronous NORMAL, a 60 s busy timeout).
    """

    path: Path

    def _init_connections(self, pragmas: tuple[str, ...] = ()) -> None:
        self._pragmas = pragmas
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.path, timeout=60, isolation_level=None, check_same_thread=False
            )
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=60000",
                           *self._pragmas):
                conn.execute(f"PRAGMA {pragma}")
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction, taking the write lock first; rolled back on any error."""
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: every query inside sees the same committed state."""
        conn = self._conn()
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                try:
                    conn.close()
                except sqlite3.ProgrammingError:  # closed from another thread already
                    pass
            self._connections.clear()
        self._local = threading.local()
