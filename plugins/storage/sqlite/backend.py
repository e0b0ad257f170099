"""The `sqlite` storage backend: one WAL-mode file, `storage.path` (default `<dataDir>/relay.sqlite3`).

Concurrency: each transaction borrows a connection from a pool (one per transaction in
flight), so read transactions run side by side, each on its own WAL snapshot. Writers are
serialized in this process by a lock, which is cheaper and fairer than many threads spinning in
SQLite's busy handler, and across processes by `BEGIN IMMEDIATE` plus the busy timeout.

Durability: WAL with `synchronous=NORMAL`. A transaction is in the WAL file when COMMIT returns,
so it survives the process being killed; only a power cut may lose the last commits.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from mobile_codex.core.config.relay import FileStorageSettings, StorageConfig
from mobile_codex.core.errors import StorageError
from mobile_codex.core.record_codec import Key
from mobile_codex.core.serial_writers import SerialWriters
from mobile_codex.core.sql.glance import agent_glance
from mobile_codex.core.sql.statements import Statements
from mobile_codex.core.store import AgentGlance
from mobile_codex.core.sql.transaction import SqlTransaction

from .dialect import SQLITE
from .migrations import migrate

DB_NAME = "relay.sqlite3"
BUSY_TIMEOUT_S = 10.0


SqliteSettings = FileStorageSettings  # its one key: `path`


def open_sqlite_store(storage: StorageConfig) -> SqliteStore:
    """Open (creating and migrating when needed) the configured database file."""
    return SqliteStore(storage.file_path(DB_NAME))


_STATEMENTS = Statements.build(SQLITE)


class SqliteStore:
    """The `Store` over one SQLite file (its folder is created 0700 when missing)."""

    backend = "sqlite"

    def __init__(self, path: Path):
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._path = path
        self._create_private_file()
        self._pool_lock = threading.Lock()
        self._idle: list[sqlite3.Connection] = []
        self._closed = False
        self._writers = SerialWriters()
        conn = self._connect()
        try:
            # journal_mode is a property of the file: set once, every later connection uses it.
            if conn.execute("PRAGMA journal_mode = WAL").fetchone()[0] != "wal":
                raise StorageError(f"{self._path}: cannot switch the database to WAL mode")
            migrate(conn)
        except sqlite3.Error as exc:
            conn.close()
            raise StorageError(f"{self._path} cannot be opened as the relay database: {exc}") from exc
        except BaseException:
            conn.close()
            raise
        self._release(conn)

    def _create_private_file(self) -> None:
        # SQLite gives the -wal and -shm files the database file's mode, so 0600 here covers them.
        try:
            os.close(os.open(self._path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            pass

    def _connect(self) -> sqlite3.Connection:
        try:
            # isolation_level=None: no implicit transactions; we issue BEGIN/COMMIT ourselves.
            conn = sqlite3.connect(
                self._path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
            conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as exc:
            raise StorageError(f"{self._path} cannot be opened as the relay database: {exc}") from exc
        return conn

    def _acquire(self) -> sqlite3.Connection:
        with self._pool_lock:
            if self._closed:
                raise StorageError("the store is closed")
            if self._idle:
                return self._idle.pop()
        return self._connect()

    def _release(self, conn: sqlite3.Connection) -> None:
        with self._pool_lock:
            # A connection still inside a transaction (its ROLLBACK failed) is not reused.
            if not self._closed and not conn.in_transaction:
                self._idle.append(conn)
                return
        conn.close()

    @contextlib.contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[SqlTransaction]:
        with self._writers.turn(write):
            yield from self._run(write)

    def _run(self, write: bool) -> Iterator[SqlTransaction]:
        conn = self._acquire()
        tx = SqlTransaction(conn, _STATEMENTS, writable=write)
        try:
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            yield tx
            conn.execute("COMMIT")
        except BaseException as exc:
            with contextlib.suppress(sqlite3.Error):
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise StorageError(f"{self._path}: {exc}") from exc
            raise
        finally:
            tx.end()
            self._release(conn)

    def agent_glance(self, key: Key) -> AgentGlance | None:
        """One SELECT in autocommit mode: SQLite reads it in one implicit read transaction."""
        conn = self._acquire()
        try:
            return agent_glance(conn, _STATEMENTS, key)
        except sqlite3.Error as exc:
            raise StorageError(f"{self._path}: {exc}") from exc
        finally:
            self._release(conn)

    def data_files(self) -> list[Path]:
        paths = [self._path, *(self._path.with_name(self._path.name + s) for s in ("-wal", "-shm"))]
        return [path for path in paths if path.exists()]

    def integrity_check(self) -> list[str]:
        conn = self._acquire()
        try:
            rows = [row[0] for row in conn.execute("PRAGMA integrity_check").fetchall()]
        finally:
            self._release(conn)
        return [] if rows == ["ok"] else rows

    def close(self) -> None:
        with self._pool_lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
