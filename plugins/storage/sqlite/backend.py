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
import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from mobile_codex.core.config.relay import FileStorageSettings, StorageConfig
from mobile_codex.core.errors import StorageError
from mobile_codex.core.record_codec import Key, RecordLayout, check_key, check_query, key_fields, layout
from mobile_codex.core.records import TABLES, RelayMeta

from .migrations import migrate

DB_NAME = "relay.sqlite3"
BUSY_TIMEOUT_S = 10.0


SqliteSettings = FileStorageSettings  # its one key: `path`


def open_sqlite_store(storage: StorageConfig) -> SqliteStore:
    """Open (creating and migrating when needed) the configured database file."""
    return SqliteStore(storage.file_path(DB_NAME))


def _encode(shape: RecordLayout, name: str, value: object) -> object:
    """A field value as its column value."""
    if name in shape.structured:
        return json.dumps(list(value) if isinstance(value, tuple) else value, ensure_ascii=False)
    if name in shape.booleans and value is not None:
        return int(bool(value))
    return value


def _decode(shape: RecordLayout, name: str, value: object) -> object:
    """A column value as its field value."""
    if name in shape.structured:
        return json.loads(value)  # type: ignore[arg-type]
    if name in shape.booleans and value is not None:
        return bool(value)
    return value


def _from_row(cls: type, row: tuple) -> Any:
    shape = layout(cls)
    return cls(**{name: _decode(shape, name, value) for name, value in zip(shape.fields, row)})


def _to_row(record: object) -> tuple:
    shape = layout(type(record))
    return tuple(_encode(shape, name, getattr(record, name)) for name in shape.fields)


def _columns(names: tuple[str, ...]) -> str:
    return ", ".join(f'"{name}"' for name in names)


def _marks(names: tuple[str, ...]) -> str:
    return ", ".join("?" for _ in names)


@attrs.frozen
class _TableSql:
    """A table's fixed statements, built once from its record class (trusted names only)."""

    select: str
    get: str
    put: str
    delete: str

    @classmethod
    def build(cls, table: str, record_cls: type) -> _TableSql:
        fields = layout(record_cls).fields
        select = f'SELECT {_columns(fields)} FROM "{table}"'
        by_key = " AND ".join(f'"{name}" = ?' for name in key_fields(record_cls))
        return cls(
            select=select,
            get=f"{select} WHERE {by_key}",
            put=f'INSERT OR REPLACE INTO "{table}" ({_columns(fields)}) VALUES ({_marks(fields)})',
            delete=f'DELETE FROM "{table}" WHERE {by_key}',
        )


_SQL = {table: _TableSql.build(table, cls) for table, cls in TABLES.items()}
_META_FIELDS = layout(RelayMeta).fields
_GET_META = f"SELECT {_columns(_META_FIELDS)} FROM meta WHERE id = 1"
_SET_META = f"INSERT OR REPLACE INTO meta (id, {_columns(_META_FIELDS)}) VALUES (1, {_marks(_META_FIELDS)})"


class _Transaction:
    """The `Transaction` handed to callers: one `SqliteTable` per record kind, plus meta."""

    def __init__(self, conn: sqlite3.Connection, *, writable: bool):
        self._conn = conn
        self._writable = writable
        self._active = True

    def __getattr__(self, name: str) -> SqliteTable:
        """`tx.<table>`, made on first use: most transactions touch one or two of the tables, and
        making all of them up front was ~5% of an idle agent poll's relay CPU (issue 19)."""
        cls = TABLES.get(name)
        if cls is None:
            raise AttributeError(name)
        table = SqliteTable(self, name, cls)
        setattr(self, name, table)
        return table

    def execute(self, sql: str, params: tuple = (), *, writes: bool = False) -> sqlite3.Cursor:
        if not self._active:
            raise StorageError("the transaction is over")
        if writes and not self._writable:
            raise StorageError("cannot write in a read-only transaction (write=False)")
        return self._conn.execute(sql, params)

    def end(self) -> None:
        self._active = False

    def get_meta(self) -> RelayMeta:
        row = self.execute(_GET_META).fetchone()
        return RelayMeta() if row is None else _from_row(RelayMeta, row)

    def set_meta(self, meta: RelayMeta) -> None:
        if not isinstance(meta, RelayMeta):
            raise TypeError(f"expected RelayMeta, got {type(meta).__name__}")
        self.execute(_SET_META, _to_row(meta), writes=True)


class SqliteTable:
    """One record kind, stored in the table of the same name."""

    def __init__(self, tx: _Transaction, table: str, cls: type):
        self._tx = tx
        self._table = table
        self._cls = cls
        self._sql = _SQL[table]

    def get(self, key: Key) -> Any:
        row = self._tx.execute(self._sql.get, check_key(self._cls, key)).fetchone()
        return None if row is None else _from_row(self._cls, row)

    def put(self, record: object) -> None:
        if not isinstance(record, self._cls):
            raise TypeError(f"{self._table} holds {self._cls.__name__}, not {type(record).__name__}")
        self._tx.execute(self._sql.put, _to_row(record), writes=True)

    def delete(self, key: Key) -> bool:
        return self._tx.execute(self._sql.delete, check_key(self._cls, key), writes=True).rowcount > 0

    def find(self, *, order_by: str | None = None, limit: int | None = None, **equals: object) -> list[Any]:
        order_field, descending = check_query(self._cls, equals, order_by, limit)
        where, params = self._where(equals)
        # SQLite puts NULLs first when ascending and last when descending; the json backend matches.
        order = _columns(key_fields(self._cls))
        if order_field is not None:
            order = f'"{order_field}" {"DESC" if descending else "ASC"}, {order}'
        sql = f"{self._sql.select}{where} ORDER BY {order}"
        if limit is not None:
            sql += " LIMIT ?"
            params += (limit,)
        return [_from_row(self._cls, row) for row in self._tx.execute(sql, params).fetchall()]

    def count(self, **equals: object) -> int:
        check_query(self._cls, equals, None, None)
        where, params = self._where(equals)
        return self._tx.execute(f'SELECT COUNT(*) FROM "{self._table}"{where}', params).fetchone()[0]

    def _where(self, equals: Mapping[str, object]) -> tuple[str, tuple]:
        """A WHERE clause over names `check_query` has validated; values are parameters."""
        terms, params = [], []
        for name, value in equals.items():
            if value is None:
                terms.append(f'"{name}" IS NULL')
            else:
                terms.append(f'"{name}" = ?')
                params.append(_encode(layout(self._cls), name, value))
        return (" WHERE " + " AND ".join(terms) if terms else ""), tuple(params)


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
        self._write_lock = threading.Lock()
        self._writer: int | None = None  # thread id holding the write lock
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
    def transaction(self, *, write: bool = True) -> Iterator[_Transaction]:
        me = threading.get_ident()
        if write and self._writer == me:
            raise StorageError("nested write transaction in one thread (it would deadlock)")
        with self._write_lock if write else contextlib.nullcontext():
            if write:
                self._writer = me
            try:
                yield from self._run(write)
            finally:
                if write:
                    self._writer = None

    def _run(self, write: bool) -> Iterator[_Transaction]:
        conn = self._acquire()
        tx = _Transaction(conn, writable=write)
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
