"""The `postgres` storage backend: the relay's metadata in a PostgreSQL database the operator runs.

Several relays may share one database. Connections come from a `psycopg_pool` pool that checks a
connection before lending it and replaces broken ones in the background, so a database restart
costs the requests made while it is down, not a relay restart. The check (an empty query) is skipped
for a connection a transaction gave back under `UNCHECKED_REUSE_S` ago: it was one round trip more
per transaction, ~13 % of an idle poll's relay CPU (issue 19), for connections that just worked.

Concurrency, matching the sqlite backend's guarantee (services read, modify and write records in
one transaction and rely on no other writer interleaving):
- a write transaction first takes a transaction-level advisory lock (`WRITE_LOCK_KEY`), so writers
  are serialized across every relay on the database, and runs READ COMMITTED: each statement after
  the lock sees every earlier writer's commit. Serializable isolation would give the same result
  but makes callers retry on serialization failures, which no service is written to do. Inside one
  relay a thread lock queues writers first, so waiting writers hold no pooled connection.
- a read transaction is REPEATABLE READ READ ONLY: one consistent snapshot, never blocked by writers.

Failures: no connection within `connectTimeoutMs`, or a connection lost mid-transaction, raise
`StorageUnavailable` (503 `storage-unavailable`); other database errors raise `StorageError`.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import threading
import time
import typing
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from mobile_codex.core.config.relay import StorageConfig
from mobile_codex.core.errors import StorageError, StorageUnavailable
from mobile_codex.core.record_codec import Key, RecordLayout, check_key, check_query, key_fields, layout
from mobile_codex.core.records import TABLES, RelayMeta

from .migrations import MIGRATIONS, migrate
from .settings import PostgresSettings

# The advisory lock every write transaction holds ("mcwritel" as a number; see migrations.py).
WRITE_LOCK_KEY = 0x6D6377726974656C


def open_postgres_store(storage: StorageConfig) -> PostgresStore:
    """Connect to the configured database and migrate it (once, whoever starts first)."""
    if storage.settings is None:
        raise StorageError("storage.dsn is required for the postgres backend")
    return PostgresStore(storage.settings)


def _encode(shape: RecordLayout, name: str, value: object) -> object:
    """A field value as its column value (lists and dicts as JSON text, kept exactly)."""
    if name in shape.structured:
        return json.dumps(list(value) if isinstance(value, tuple) else value, ensure_ascii=False)
    if name in shape.booleans and value is not None:
        return bool(value)
    return value


def _from_row(cls: type, row: tuple) -> Any:
    shape = layout(cls)
    return cls(**{
        name: json.loads(value) if name in shape.structured else value
        for name, value in zip(shape.fields, row)
    })  # fmt: skip


def _to_row(record: object) -> tuple:
    shape = layout(type(record))
    return tuple(_encode(shape, name, getattr(record, name)) for name in shape.fields)


def _columns(names: tuple[str, ...]) -> str:
    return ", ".join(f'"{name}"' for name in names)


def _marks(names: tuple[str, ...]) -> str:
    return ", ".join("%s" for _ in names)


def _upsert(table: str, fields: tuple[str, ...], keys: tuple[str, ...]) -> str:
    updates = ", ".join(f'"{name}" = EXCLUDED."{name}"' for name in fields if name not in keys)
    return (
        f'INSERT INTO "{table}" ({_columns(fields)}) VALUES ({_marks(fields)}) '
        f"ON CONFLICT ({_columns(keys)}) DO UPDATE SET {updates}"
    )


def _by_key(keys: tuple[str, ...]) -> str:
    # Byte order ("C"), as SQLite compares text, whatever collation the database was made with.
    return ", ".join(f'"{name}" COLLATE "C"' for name in keys)


@functools.cache
def _text_fields(cls: type) -> frozenset[str]:
    """The fields stored as TEXT and compared as such (str or str | None)."""
    hints = typing.get_type_hints(cls)
    return frozenset(name for name in layout(cls).fields if set(typing.get_args(hints[name]) or (hints[name],)) <= {str, type(None)})


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
        keys = key_fields(record_cls)
        select = f'SELECT {_columns(fields)} FROM "{table}"'
        where = " AND ".join(f'"{name}" = %s' for name in keys)
        return cls(
            select=select,
            get=f"{select} WHERE {where}",
            put=_upsert(table, fields, keys),
            delete=f'DELETE FROM "{table}" WHERE {where}',
        )


_SQL = {table: _TableSql.build(table, cls) for table, cls in TABLES.items()}
_META_FIELDS = layout(RelayMeta).fields
_GET_META = f"SELECT {_columns(_META_FIELDS)} FROM meta WHERE id = 1"
_SET_META = _upsert("meta", ("id", *_META_FIELDS), ("id",))


class _Transaction:
    """The `Transaction` handed to callers: one `PostgresTable` per record kind, plus meta."""

    def __init__(self, conn: psycopg.Connection, *, writable: bool):
        self._conn = conn
        self._writable = writable
        self._active = True
        for name, cls in TABLES.items():
            setattr(self, name, PostgresTable(self, name, cls))

    def execute(self, sql: str, params: tuple = (), *, writes: bool = False) -> psycopg.Cursor:
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
        self.execute(_SET_META, (1, *_to_row(meta)), writes=True)


class PostgresTable:
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
        order = _by_key(key_fields(self._cls))
        if order_field is not None:
            # The contract's rule (SQLite's): nulls first ascending, last descending.
            direction = "DESC NULLS LAST" if descending else "ASC NULLS FIRST"
            order = f'"{order_field}"{self._collate(order_field)} {direction}, {order}'
        sql = f"{self._sql.select}{where} ORDER BY {order}"
        if limit is not None:
            sql += " LIMIT %s"
            params += (limit,)
        return [_from_row(self._cls, row) for row in self._tx.execute(sql, params).fetchall()]

    def count(self, **equals: object) -> int:
        check_query(self._cls, equals, None, None)
        where, params = self._where(equals)
        return self._tx.execute(f'SELECT COUNT(*) FROM "{self._table}"{where}', params).fetchone()[0]

    def _collate(self, name: str) -> str:
        return ' COLLATE "C"' if name in _text_fields(self._cls) else ""

    def _where(self, equals: Mapping[str, object]) -> tuple[str, tuple]:
        """A WHERE clause over names `check_query` has validated; values are parameters."""
        terms, params = [], []
        for name, value in equals.items():
            if value is None:
                terms.append(f'"{name}" IS NULL')
            else:
                terms.append(f'"{name}" = %s')
                params.append(_encode(layout(self._cls), name, value))
        return (" WHERE " + " AND ".join(terms) if terms else ""), tuple(params)


# A connection given back by a transaction this recently is lent again without the pool's check.
# A database that went away within this time fails that one request (503 `storage-unavailable`,
# and the pool drops the connection), as any request in flight when it goes away does.
UNCHECKED_REUSE_S = 1.0


def _check_unless_just_used(conn: psycopg.Connection) -> None:
    """The pool's `check`: ConnectionPool.check_connection, unless the connection just worked."""
    returned = getattr(conn, "_mobile_codex_returned", None)
    if returned is not None and time.monotonic() - returned < UNCHECKED_REUSE_S:
        return
    ConnectionPool.check_connection(conn)


class PostgresStore:
    """The `Store` over one PostgreSQL database, through a pool of at most `poolSize` connections."""

    backend = "postgres"

    def __init__(self, settings: PostgresSettings):
        self._timeout = settings.connect_timeout_ms / 1000
        kwargs: dict[str, Any] = {
            "autocommit": True,  # BEGIN and COMMIT are ours
            "connect_timeout": max(2, math.ceil(self._timeout)),  # libpq's minimum is 2 s
            "options": f"-c statement_timeout={settings.statement_timeout_ms:d}",
        }
        password = settings.password()
        if password is not None:
            kwargs["password"] = password
        self._closed = False
        self._write_lock = threading.Lock()
        self._writer: int | None = None  # thread id holding the write lock
        self._pool = ConnectionPool(
            settings.dsn, kwargs=kwargs, min_size=1, max_size=settings.pool_size, timeout=self._timeout,
            check=_check_unless_just_used, open=False, name="mobile-codex-storage",
        )  # fmt: skip
        try:
            self._pool.open(wait=True, timeout=self._timeout)
            with self._pool.connection(timeout=self._timeout) as conn:
                migrate(conn)
        except PoolTimeout as exc:
            self._pool.close()
            raise StorageUnavailable(f"cannot connect to the PostgreSQL database within {self._timeout:g} s: {exc}") from None
        except psycopg.Error as exc:
            self._pool.close()
            raise StorageError(f"the PostgreSQL database cannot be used as the relay database: {exc}") from None
        except BaseException:
            self._pool.close()
            raise

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

    def _getconn(self) -> psycopg.Connection:
        if self._closed:
            raise StorageError("the store is closed")
        try:
            return self._pool.getconn(timeout=self._timeout)
        except PoolTimeout:
            raise StorageUnavailable(f"no database connection within {self._timeout:g} s") from None

    def _run(self, write: bool) -> Iterator[_Transaction]:
        conn = self._getconn()
        tx = _Transaction(conn, writable=write)
        try:
            if write:
                conn.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))
            else:
                conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield tx
            conn.execute("COMMIT")
        except BaseException as exc:
            with contextlib.suppress(psycopg.Error):
                if not conn.closed and conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                    conn.execute("ROLLBACK")
            if isinstance(exc, psycopg.OperationalError):
                raise StorageUnavailable(f"the PostgreSQL database is unavailable: {exc}") from exc
            if isinstance(exc, psycopg.Error):
                raise StorageError(f"PostgreSQL: {exc}") from exc
            raise
        finally:
            tx.end()
            conn._mobile_codex_returned = time.monotonic()  # type: ignore[attr-defined]
            self._pool.putconn(conn)  # the pool discards a broken connection

    def data_files(self) -> list[Path]:
        return []  # the cluster's files are the operator's (and its backups), not the relay's

    def integrity_check(self) -> list[str]:
        """The schema is this release's, and every table answers a query."""
        problems = []
        with self.transaction(write=False) as tx:
            version = tx.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()[0]
            if version != len(MIGRATIONS):
                problems.append(f"schema version {version}, expected {len(MIGRATIONS)}")
            for table in (*TABLES, "meta"):
                tx.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchall()
        return problems

    def close(self) -> None:
        self._closed = True
        self._pool.close()
