"""Seal states of the sandbox's Cloud Archive objects, kept in one SQLite file per cluster.

A row exists only for an object whose unsealing was requested: ``ready_at`` is when the
unsealing ends, ``sealed_at`` when the readable window closes. No row, or a window that
has closed, means sealed; a PUT or DELETE of the object removes its row, so a new object
always starts sealed. Times are wall-clock seconds, so the states survive a restart of
the proxy (and of the whole sandbox).

The proxy (eventlet greenthreads in one process) and the process driving the sandbox
both open the file; every call opens its own connection, and the read-modify-write of
:meth:`RetrievalStore.request_unseal` runs in one ``BEGIN IMMEDIATE`` transaction, so two
GETs of the same sealed object start one unsealing, not two. This module uses the
standard library only: the driving process imports it without Swift.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

SEALED = "sealed"
UNSEALING = "unsealing"
UNSEALED = "unsealed"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS retrievals (
    account TEXT NOT NULL,
    container TEXT NOT NULL,
    object TEXT NOT NULL,
    ready_at REAL NOT NULL,
    sealed_at REAL NOT NULL,
    PRIMARY KEY (account, container, object)
);
CREATE TABLE IF NOT EXISTS timing (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    delay_s INTEGER NOT NULL,
    window_s INTEGER NOT NULL
);
"""


@dataclass(frozen=True)
class Retrieval:
    """What OVHcloud reports for one object: its state, and the seconds left while unsealing."""

    state: str
    seconds_left: int | None = None


def _retrieval(ready_at: float, sealed_at: float, now: float) -> Retrieval:
    if now >= sealed_at:
        return Retrieval(SEALED)
    if now < ready_at:
        return Retrieval(UNSEALING, max(1, math.ceil(ready_at - now)))
    return Retrieval(UNSEALED)


class RetrievalStore:
    """The seal states of one cluster, and the unsealing delay and window it applies.

    ``delay_s`` and ``window_s`` apply until :meth:`set_timing` stores others in the file
    (the sandbox does, so that tests can switch between a short and a long delay while
    the proxy runs).
    """

    def __init__(self, path: Path, *, delay_s: int, window_s: int) -> None:
        self.path = path
        self.default_delay_s = delay_s
        self.default_window_s = window_s
        with closing(sqlite3.connect(self.path, timeout=10, isolation_level=None)) as db:
            db.execute("PRAGMA journal_mode = WAL")  # readers never wait for the writer
            db.executescript(_SCHEMA)

    @contextmanager
    def _transaction(self, *, write: bool = False) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=10, isolation_level=None)) as db:
            db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def timing(self) -> tuple[int, int]:
        """``(delay_s, window_s)`` in force."""
        with self._transaction() as db:
            row = db.execute("SELECT delay_s, window_s FROM timing WHERE id = 1").fetchone()
        return (row[0], row[1]) if row else (self.default_delay_s, self.default_window_s)

    def set_timing(self, delay_s: int, window_s: int) -> None:
        """Apply ``delay_s`` and ``window_s`` to the unsealings requested from now on."""
        with self._transaction(write=True) as db:
            db.execute(
                "INSERT OR REPLACE INTO timing (id, delay_s, window_s) VALUES (1, ?, ?)",
                (delay_s, window_s),
            )

    def state(self, account: str, container: str, name: str, now: float) -> Retrieval:
        with self._transaction() as db:
            row = db.execute(
                "SELECT ready_at, sealed_at FROM retrievals "
                "WHERE account = ? AND container = ? AND object = ?",
                (account, container, name),
            ).fetchone()
        return _retrieval(row[0], row[1], now) if row else Retrieval(SEALED)

    def states(self, account: str, container: str, now: float) -> dict[str, Retrieval]:
        """The objects of ``container`` that have a row; any other is sealed."""
        with self._transaction() as db:
            rows = db.execute(
                "SELECT object, ready_at, sealed_at FROM retrievals "
                "WHERE account = ? AND container = ?",
                (account, container),
            ).fetchall()
        return {name: _retrieval(ready_at, sealed_at, now) for name, ready_at, sealed_at in rows}

    def request_unseal(self, account: str, container: str, name: str, now: float) -> Retrieval:
        """Start unsealing a sealed object (a running one is left alone); the state after."""
        with self._transaction(write=True) as db:
            row = db.execute(
                "SELECT ready_at, sealed_at FROM retrievals "
                "WHERE account = ? AND container = ? AND object = ?",
                (account, container, name),
            ).fetchone()
            current = _retrieval(row[0], row[1], now) if row else None
            if current is not None and current.state != SEALED:
                return current
            timing = db.execute("SELECT delay_s, window_s FROM timing WHERE id = 1").fetchone()
            delay_s, window_s = timing or (self.default_delay_s, self.default_window_s)
            ready_at = now + delay_s
            db.execute(
                "INSERT OR REPLACE INTO retrievals "
                "(account, container, object, ready_at, sealed_at) VALUES (?, ?, ?, ?, ?)",
                (account, container, name, ready_at, ready_at + window_s),
            )
        return _retrieval(ready_at, ready_at + window_s, now)

    def reseal(self, account: str, container: str, name: str) -> None:
        """A new object (PUT) or none (DELETE) under this name: sealed from now on."""
        with self._transaction(write=True) as db:
            db.execute(
                "DELETE FROM retrievals WHERE account = ? AND container = ? AND object = ?",
                (account, container, name),
            )
