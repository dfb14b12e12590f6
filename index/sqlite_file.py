"""One SQLite file shared by threads: WAL mode, a connection per thread, atomic transactions."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock


class SQLiteFile:
    """A SQLite database file; readers never block the writer (WAL).

    `synchronous=NORMAL` in WAL mode survives a process crash (kill -9)
    without an fsync per commit; only a power cut can lose the last commits.
    """

    def __init__(self, path: Path, schema: str) -> None:
        self.path = path
        self._local = threading.local()
        path.parent.mkdir(parents=True, exist_ok=True)
        # Turning a new file to WAL needs an exclusive lock that SQLite does not wait for (it says
        # "database is locked" at once), so processes opening one file together take turns here.
        with FileLock(f"{path}.lock", timeout=60):
            # executescript commits by itself; every statement in a schema is idempotent.
            self.connection().executescript(schema)

    def connection(self) -> sqlite3.Connection:
        """This thread's connection."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: all of it commits, or none of it."""
        conn = self.connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: every query inside sees the same committed state."""
        conn = self.connection()
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")
